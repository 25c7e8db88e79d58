// Loaded at the top of <body>: tells GOV.UK Frontend's styles that JavaScript runs here.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
