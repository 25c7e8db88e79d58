"""The detectors, one category at a time, on sentences written for these tests."""

import pytest

from library.redaction import detect
from library.redaction.detectors import nhs_check


def found(text: str, category: str | None = None) -> list[str]:
    return [s.text for s in detect(text) if category is None or s.category == category]


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919"])
def test_nhs_numbers_with_a_valid_check_digit(number):
    assert found(f"NHS number {number} on file.", "nhs_number") == [number]


@pytest.mark.parametrize("number", ["943 476 5918", "111 111 1111", "000 000 0000", "123 456 7890"])
def test_nhs_numbers_failing_the_check_are_not_nhs_numbers(number):
    assert found(f"NHS number {number} on file.", "nhs_number") == []


def test_nhs_check_rejects_all_same_digits():
    assert not nhs_check("4444444444")
    assert nhs_check("9434765919")


@pytest.mark.parametrize("nino", ["JT 48 29 17 C", "AB123456C", "ce 12 34 56 d".upper(), "TM121547B"])
def test_national_insurance_numbers(nino):
    assert found(f"Her NI number is {nino} today.", "ni_number") == [nino]


@pytest.mark.parametrize(
    "nino", ["QQ 12 34 56 A", "GB 12 34 56 A", "AO 12 34 56 A", "AB 12 34 56 E", "DA123456A"]
)
def test_national_insurance_numbers_breaking_hmrc_rules(nino):
    assert found(f"Number {nino} here.", "ni_number") == []


@pytest.mark.parametrize(
    "phone",
    [
        "01632 960374",
        "01632 960 415",
        "07700 900307",
        "07700 900 756",
        "+44 7700 900104",
        "020 7946 0554",
        "0113 496 0000",
        "(0161) 496 0123",
        "+44 (0)20 7946 0123",
    ],
)
def test_uk_phone_numbers_including_drama_ranges(phone):
    assert found(f"Call {phone} please.", "phone") == [phone]


@pytest.mark.parametrize(
    "text", ["Budget 2024 2025 was 1,250,000.", "Between 12 and 15 March 2025.", "Ref 0123"]
)
def test_numbers_that_are_not_phones(text):
    assert found(text, "phone") == []


@pytest.mark.parametrize(
    "email", ["ravi.mistry@ashcombe.gov.uk", "a.b-c+d@x.example", "o'neill@council.org.uk"]
)
def test_emails(email):
    assert found(f"Write to {email}.", "email") == [email]


@pytest.mark.parametrize(
    "postcode", ["KM3 7QT", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "GU155QD"]
)
def test_postcodes(postcode):
    assert found(f"They live near {postcode} now.", "postcode") == [postcode]


def test_pupil_numbers_with_a_valid_check_letter():
    from stdnum.gb import upn

    number = "801200306001"
    valid = upn.calc_check_character(number[:11] + "0") if hasattr(upn, "calc_check_character") else None
    candidate = (valid or "A") + number
    if not upn.is_valid(candidate):
        candidate = next(c + number for c in "ABCDEFGHJKLMNPQRTUVWXYZ" if upn.is_valid(c + number))
    assert found(f"UPN {candidate} recorded.", "upn") == [candidate]
    wrong = next(c + number for c in "ABCDEFGHJKLMNPQRTUVWXYZ" if not upn.is_valid(c + number))
    assert found(f"UPN {wrong} recorded.", "upn") == []


@pytest.mark.parametrize(
    "text,ref",
    [
        ("Case ref: CP-2023-00481 was closed.", "CP-2023-00481"),
        ("Mosaic ID 1234567 too.", "1234567"),
        ("case number 88213 remains open", "88213"),
    ],
)
def test_case_references_in_context(text, ref):
    assert found(text, "case_reference") == [ref]


def test_years_are_not_case_references():
    assert found("The case in 2024 was reviewed.", "case_reference") == []


@pytest.mark.parametrize(
    "text,date",
    [
        ("(DOB 14/07/2008)", "14/07/2008"),
        ("Born on 19.8.2016, she", "19.8.2016"),
        ("born 2017-01-15 in", "2017-01-15"),
        ("Date of birth: 4th July 2009", "4th July 2009"),
        ("D.O.B. 2 Feb 2013.", "2 Feb 2013"),
        ("date of birth December 25, 2018", "December 25, 2018"),
    ],
)
def test_dates_of_birth(text, date):
    assert found(text, "date_of_birth") == [date]


@pytest.mark.parametrize(
    "text",
    [
        "The board met on 4 February 2025.",
        "Visit dates: 11/03/2025 and 12/03/2025.",
        "Reviewed on 2024-06-01.",
    ],
)
def test_meeting_dates_are_left_alone(text):
    assert found(text, "date_of_birth") == []


@pytest.mark.parametrize(
    "text,address",
    [
        ("moved to 54 Church Street, Kingsmere", "54 Church Street, Kingsmere"),
        ("at Flat 4, 22 Station Road, Leeds", "Flat 4, 22 Station Road, Leeds"),
        ("Lives at 14 Larch Grove, Pendlebury, M27 4QT.", "14 Larch Grove, Pendlebury, M27 4QT"),
        ("Address: Flat 3, 27 Canal Wharf, Leeds LS11 5QR", "Flat 3, 27 Canal Wharf, Leeds LS11 5QR"),
        ("at 4 Church Road, Hillcrest Academy said no", "4 Church Road"),
        ("lives at 7a Queen's Park Avenue.", "7a Queen's Park Avenue"),
        ("from 107 Chestnut Walk last year", "107 Chestnut Walk"),
    ],
)
def test_street_addresses(text, address):
    assert found(text, "address") == [address]


@pytest.mark.parametrize(
    "text,names",
    [
        ("Siobhan Murphy, the family support worker, visited.", ["Siobhan Murphy"]),
        ("We met Mrs Carter at school.", ["Mrs Carter"]),
        ("Referral from Mr. Wojciech Kowalski about his son Jakub.", ["Mr. Wojciech Kowalski", "Jakub"]),
        ("Chukwuemeka Obi's mother said so.", ["Chukwuemeka Obi's"]),
        (
            "It was chaired by Councillor Amir Khan and attended by Bethany O'Connor-Smith.",
            ["Amir Khan", "Bethany O'Connor-Smith"],
        ),
        ("Kind regards,\nJo Pemberton", ["Jo Pemberton"]),
        ("Dear Marguerite,\n\nThank you.", ["Marguerite"]),
        ("Contact Efua Mensah, Senior Practitioner, for details.", ["Efua Mensah"]),
        ("Notes: the Hughes family described it as abrupt.", ["Hughes"]),
        ("The child, known as J.K., was referred.", ["J.K."]),
        ("Report by J. Smith and colleagues.", ["J. Smith"]),
        ("Ngozi Okonkwo (DOB 12/12/2012) lives with her grandmother.", ["Ngozi Okonkwo"]),
        ("Kwabena Mensah (aged 14) was referred.", ["Kwabena Mensah"]),
        (
            "The lead reviewer, Siddharth Rao (Assistant Director, Fernleigh Council), spoke.",
            ["Siddharth Rao"],
        ),
        ("We met Dr Nkemelu at St Mary's Academy.", ["Dr Nkemelu"]),
    ],
)
def test_people(text, names):
    assert found(text, "person") == names


@pytest.mark.parametrize(
    "text",
    [
        "The Director of Children's Services chaired the Early Help Partnership Board on 4 February 2025.",
        "Ofsted's ILACS judgement in March 2023 was good, and the Local Government Association funded it.",
        "Family Hub North reported 412 contacts; the South East Sector Led Improvement Programme shared it.",
        "The Independent Reviewing Officer and the Virtual School Head met in June.",
        "In May the Principal Social Worker led Signs of Safety training.",
    ],
)
def test_domain_phrases_are_not_people(text):
    assert found(text) == []


def test_names_split_across_a_line_break():
    text = "Contacts: Dr Marcus\nBell, Principal Social Worker. Later Marcus said yes."
    assert found(text, "person") == ["Dr Marcus\nBell", "Marcus"]


def test_every_form_of_a_found_name_is_suggested():
    text = "Amelia Hughes was seen. Amelia's school called. HUGHES was on the list. A door bell rang."
    assert found(text, "person") == ["Amelia Hughes", "Amelia's", "HUGHES"]


def test_authority_terms():
    text = "Staff at Brookfield Estate and Oak Tree Nursery. The Blue Team met."
    result = detect(
        text, always=[("Brookfield Estate", "place"), ("oak tree nursery", "school")], never=["Blue Team"]
    )
    assert [(s.text, s.category) for s in result] == [
        ("Brookfield Estate", "place"),
        ("Oak Tree Nursery", "school"),
    ]


def test_never_list_keeps_a_name_like_phrase():
    # A building named after a person is not a person.
    assert not found("Grace Darling House hosts the hub.", "person")
    assert found("Mary Seacole leads the hub.", "person")
    assert not detect("Mary Seacole leads the hub.", never=["Mary Seacole"])


def test_allow_list_from_the_caller():
    assert found("Wyndham Marsh is our partner council.") != []
    assert detect("Wyndham Marsh is our partner council.", allow=["Wyndham Marsh"]) == []


def test_suggestions_do_not_overlap_and_carry_their_rule():
    result = detect("Email sarah.okafor@kingsmere.gov.uk or call Sarah Okafor on 01632 960 415.")
    assert [s.category for s in result] == ["email", "person", "phone"]
    assert all(s.rule and 0 < s.score <= 1 for s in result)
    assert all(a.end <= b.start for a, b in zip(result, result[1:], strict=False))


# Identifiers of children's services beyond the first ones ----------------------------------------


def test_unique_learner_numbers_need_their_check_digit():
    from library.redaction.detectors import uln_valid

    assert uln_valid("5093814724")
    assert not uln_valid("5093814725")  # one digit off
    assert not uln_valid("0093814724")  # never starts with 0
    assert found("Her ULN is 5093814724.", "uln") == ["5093814724"]
    assert found("Her ULN is 5093814725.", "uln") == []


@pytest.mark.parametrize(
    "upn",
    [
        "Q838201713004",  # Dorset, a local authority number made in 2019
        "G940400421017",  # North Northamptonshire, 2021
        "B941352619212",  # West Northamptonshire, 2021
        "X93520061900A",  # a temporary UPN ends with a letter
    ],
)
def test_pupil_numbers_of_authorities_made_since_2011_and_temporary_ones(upn):
    assert found(f"UPN {upn} on the transfer file.", "upn") == [upn]


def test_a_pupil_number_with_the_wrong_check_letter_or_an_unknown_authority_is_not_one():
    assert found("UPN A838201713004 on file.", "upn") == []
    assert found("UPN Q000201713004 on file.", "upn") == []


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("Instagram: @mia.rose_07 sent the first message.", "@mia.rose_07"),
        ("She moved to TikTok lilbeau22 after that.", "lilbeau22"),
        ("snapchat - jayjay.x09 (from a friend)", "jayjay.x09"),
        ("his Discord kai#4471 was shared", "kai#4471"),
    ],
)
def test_social_media_handles(text, handle):
    assert handle in found(text, "social_media")


def test_a_platform_named_before_an_ordinary_word_is_not_a_handle():
    assert found("Young people use Instagram and Snapchat most.", "social_media") == []
    assert found("Email us at team@kingsmere.gov.uk today.", "social_media") == []


@pytest.mark.parametrize(
    ("text", "reg"),
    [
        ("Police stopped a car, registration KM19 PTX, near the school.", "KM19 PTX"),
        ("The car (T482 GHN) was seen outside twice.", "T482 GHN"),
        ("Vehicle reg: ABC 123D", "ABC 123D"),
    ],
)
def test_vehicle_registrations(text, reg):
    assert found(text, "vehicle") == [reg]


def test_an_older_registration_shape_needs_a_word_for_a_vehicle():
    assert found("Y10 SEN support rose.", "vehicle") == []


def test_passports_and_residence_permits_by_their_label():
    assert found("Passport number 543219876 was held by the father.", "passport") == ["543219876"]
    assert found("Her BRP (ZR5218407) expires in March.", "passport") == ["ZR5218407"]
    assert found("The team saw 543219876 visitors.", "passport") == []


def test_bank_details_sort_codes_accounts_and_ibans():
    assert found("sort code 20-45-77, account 63348120", "bank") == ["20-45-77", "63348120"]
    assert found("IBAN GB33 BUKB 2020 1555 5555 55 for the grant", "bank") == ["GB33 BUKB 2020 1555 5555 55"]
    assert found("IBAN GB34 BUKB 2020 1555 5555 55 for the grant", "bank") == []  # fails mod 97
    assert found("Between 20-45 of the 77 families", "bank") == []


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("Eclipse ID 3348217 was opened.", "3348217"),
        ("CareFirst no. 55120943", "55120943"),
        ("LADO reference LADO/2023/0457 was closed.", "LADO/2023/0457"),
        ("Police CAD 4471 of 14 March", "4471"),
        ("Home Office reference B2218734", "B2218734"),
        ("The Eclipse record (ECL 772013) was closed.", "ECL 772013"),
        ("Police CAD CAD 4471 12/05/24 was logged.", "CAD 4471 12/05/24"),
        ("LCS ref: LCS-448201", "LCS-448201"),
    ],
)
def test_case_references_of_other_systems(text, ref):
    start = text.index(ref)
    refs = [s for s in detect(text) if s.category == "case_reference"]
    assert any(s.start <= start and start + len(ref) <= s.end for s in refs)


def test_bare_values_under_an_identifying_column_header():
    table = (
        "| ID | Age | DOB |\n| --- | --- | --- |\n| 448120 | 14 | 21.06.2013 |\n| 448377 | 15 | 4-Mar-09 |"
    )
    assert found(table, "case_reference") == ["448120", "448377"]
    assert found(table, "date_of_birth") == ["21.06.2013", "4-Mar-09"]
    assert found(table, "person") == []  # the header row names columns, not people


@pytest.mark.parametrize(
    ("text", "dob"),
    [
        ("DOB: 4-Mar-09", "4-Mar-09"),
        ("He was born in March 2015 in Leeds.", "March 2015"),
        ("The child's DOB is 7-Jan-07.", "7-Jan-07"),
    ],
)
def test_dates_of_birth_in_other_shapes(text, dob):
    assert found(text, "date_of_birth") == [dob]


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Mum is on 0044 7700 900123 after six.", "0044 7700 900123"),
        ("Ring 01632 960415 ext. 204 for the duty worker.", "01632 960415 ext. 204"),
    ],
)
def test_phones_with_an_international_prefix_or_an_extension(text, phone):
    assert found(text, "phone") == [phone]


def test_house_names_with_their_street_and_street_words_of_the_north():
    assert found("They lived at Rose Villa, Mill Row until the fire.", "address") == ["Rose Villa, Mill Row"]
    assert found("New address: 12 Hawthorn Fold.", "address") == ["12 Hawthorn Fold"]


def test_what_is_public_stays():
    text = (
        "Interpreters were booked in Somali, Punjabi and Kurmanji. She was moved to Willow Lodge. "
        "Young people were signposted to NSPCC 0808 800 5000 and Crimestoppers on 0800 555 111. "
        "The front door is open on 0300 123 4567. The review is on 3 Feb 2024."
    )
    assert detect(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("visit 12/05: saw kayla at home with her mum donna.", ["kayla", "donna"]),
        ("Summer (14) lives with her grandparents.", ["Summer"]),
        ("| OKAFOR, Jayden | CP plan |", ["OKAFOR, Jayden"]),
        ("Pupils from Somalia and Eritrea speak Tigrinya at home.", []),
        ("Her mother said so.", []),
    ],
)
def test_names_in_case_notes_tables_and_before_an_age(text, names):
    assert found(text, "person") == names


def test_a_service_address_and_a_hospital_named_like_a_person_stay():
    assert detect("Our Family Hub at 1 Market Square opens on Saturdays.") == []
    assert detect("Referrals go to the MASH, based at 4 Church Road.") == []
    assert detect("She was admitted to Alder Hey after the fall.") == []
    assert found("The family lived at 14 Mill Lane until May.", "address") == ["14 Mill Lane"]
    assert found("Her school is at 3 Hill Road.", "address") == ["3 Hill Road"]  # a child's setting
