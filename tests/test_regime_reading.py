"""The regime by meaning (issue 13): subject access for "about me" in the words people really use, FOIA for the
dead and for other people's data, the EIR across reg 2(1), and FOI that only mentions "my" in passing."""

from __future__ import annotations

import pytest

from mailbot.judging.decision import Decision
from mailbot.judging.judge import judge
from mailbot.judging.readers.data_subject import normalise, read_data_subject
from mailbot.judging.readers.keywords import DEFAULT_EIR_KEYWORDS, DEFAULT_SAR_KEYWORDS
from mailbot.judging.readers.regime_reading import FOI_NOTE, read_regime
from mailbot.judging.settings import JudgeSettings
from mailbot.mail.parse import parse_message


def regime_of(body: str, subject: str = "Request") -> tuple[str, str]:
    reading = read_regime(subject, body, sar_keywords=DEFAULT_SAR_KEYWORDS, eir_keywords=DEFAULT_EIR_KEYWORDS)
    return reading.regime.value, reading.note


SUBJECT_ACCESS = [
    # (subject, body, words the reason must quote)
    ("Request", "Hi, please send me everything you have on me. Thanks", "everything you have on me"),
    ("my records", "I would like a copy of my records please.", "my records"),
    ("CCTV", "Can I get the CCTV footage of me outside the front office on 3 March between 2pm and 3pm?",
     "footage of me"),
    ("File", "Please could you send me my file.\nRegards", "my file"),
    ("Council tax", "Could you send me a copy of all the letters and notes on my council tax account since 2019",
     "my council tax account"),
    ("Social services", "i want to see what social services wrote about me when they visited in 2021",
     "social services wrote about me"),
    ("Auskunft", "hiermit verlange ich Auskunft über alle gespeicherten Daten gemäß Art. 15 DSGVO.", "art. 15"),
    ("Police record", "I want a copy of my police record as I'm applying for a visa.", "my police record"),
    ("Body worn video", "body worn video of my arrest on 12 june 2023 at the Bigg Market please",
     "video of my arrest"),
    ("999 call", "I would like the recording of my 999 call on 4 January at about 11pm.", "my 999 call"),
    ("Information", "What information do you hold about me?", "information do you hold about me"),
    ("Care leaver", "I was in care in the 1980s in Gateshead and I would like my social care file.",
     "my social care file"),
    ("Emails", "Please send any emails that mention me, sent between January and March 2024, between your "
     "housing officers.", "emails that mention me"),
    ("Request", "I am requesting all the personal data the council holds on myself.", "myself"),
    ("call", "hi can i have a copy of my 999 call recording from last tuesday night", "my 999 call"),
    ("Documents", "Please send me all documents containing my name from 2019 onwards.", "containing my name"),
    ("CCTV", "I'd like the CCTV where I appear at the front counter on 2 May.", "where i appear"),
    ("Statement", "Please send a copy of the statement I gave to PC Jones last month.", "statement i gave"),
    ("Database", "Please confirm whether I am on any police database.", "whether i am on any police database"),
    ("Hello", "Do you keep anything on me? If so I want to see it all.", "anything on me"),
    ("DSAR - Jane Doe", "Please send it to this address.", "DSAR in the subject"),
    ("Cais", "Hoffwn gael copi o fy nata personol os gwelwch yn dda.", "fy nata personol"),
    ("HR", "As a former employee I would like to see my HR file and my sickness records.", "my hr file"),
    ("Complaint", "Please provide all records relating to my complaint against PC 1234.",
     "records relating to my complaint"),
    ("Subject Access Request", "Under Article 15 please provide a copy of my data.", "my data"),
    ("Request for information", "Could you send me the notes the social worker made about me in 2015?",
     "notes the social worker made about me"),
    ("PNC", "I would like a copy of my PNC record and any intelligence held on me.", "my pnc"),
    ("Collision", "Could I have a copy of the accident report for my road traffic collision on 3 June?",
     "my road traffic collision"),
    ("Stop and search", "Please send the officer's notes from when I was stopped and searched on 4 July.",
     "when i was"),
    ("App", "I want to know what data you have collected about me through the app.",
     "data you have collected about me"),
    ("Access log", "Can you tell me who accessed my records on your system?", "my records"),
    ("Request", "I would like to request a copy of all personal information you hold relating to me.",
     "relating to me"),
]


@pytest.mark.parametrize("subject,body,words", SUBJECT_ACCESS)
def test_own_data_in_any_phrasing_is_subject_access(subject: str, body: str, words: str) -> None:
    regime, note = regime_of(body, subject)
    assert regime == "sar", note
    assert words in note and note.endswith("subject access"), note


CHILDREN_AND_AGENTS = [
    ("Could you send me the notes you hold about my son, who is 9?", "about my son", "parental responsibility"),
    ("Please send my daughter's school file, she is in year 4.", "my daughter's school file",
     "parental responsibility"),
    ("I want to see what the school has written about my son.", "written about my son", "parental responsibility"),
    ("We act for Mr John Smith and make a subject access request on his behalf for all records held about our "
     "client.", "our client", "authority to act"),
    ("I am writing on behalf of my mother, who has dementia, under a lasting power of attorney, to request her "
     "social care records.", "her social care records", "authority to act"),
]


@pytest.mark.parametrize("body,words,staff_check", CHILDREN_AND_AGENTS)
def test_a_parent_or_agent_for_the_data_subject_is_subject_access(body: str, words: str, staff_check: str) -> None:
    regime, note = regime_of(body)
    assert regime == "sar" and words in note and staff_check in note, note


THE_DEAD = [
    ("Please send my late father's records from his time in police custody in 1998.", "late father"),
    ("My mother who died last year was known to social services. Please send her social care file.",
     "mother who died"),
    ("I am the executor of my uncle's estate and request all records you hold about him.", "executor"),
    ("Subject access request for my late husband's medical records, please.", "late husband"),
    ("My brother passed away in March. I would like the incident log for the night he was found.",
     "brother passed away"),
    ("Please send the post-mortem correspondence about the deceased, my grandmother Edith Jones.", "deceased"),
]


@pytest.mark.parametrize("body,words", THE_DEAD)
def test_records_of_the_dead_are_foia(body: str, words: str) -> None:
    regime, note = regime_of(body)
    assert regime == "foi", note
    assert words in note and "covers only the living" in note, note


def test_own_data_with_a_dead_relative_is_subject_access_and_says_so() -> None:
    regime, note = regime_of("Please send all records about me and about my late mother.")
    assert regime == "sar" and "records about me" in note and "late mother" in note and "separate" in note


THIRD_PARTIES = [
    ("Please send everything you hold about my neighbour at number 12.", "about my neighbour"),
    ("What information do you have about my ex-partner's criminal record?", "about my ex-partner"),
    ("Please send me copies of the complaints made about my landlord since 2020.", "about my landlord"),
    ("I would like to see the file you keep on my husband.", "on my husband"),
    ("i need to know if my ex partner Liam Ward has a record for violence, he has been threatening me",
     "if my ex partner liam ward has a record"),
]


@pytest.mark.parametrize("body,words", THIRD_PARTIES)
def test_another_living_persons_data_is_foi_with_s40(body: str, words: str) -> None:
    regime, note = regime_of(body)
    assert regime == "foi" and words in note and "s40(2)" in note, note


ENVIRONMENTAL = [
    # reg 2(1)(a) the state of the elements
    ("Data on nitrogen dioxide levels at the monitoring stations on the A6 for 2023.", "nitrogen dioxide"),
    ("Please send the bathing water quality results for Seaburn beach.", "bathing water"),
    ("Soil contamination survey for the former gasworks site on Mill Road.", "soil"),
    ("How many hectares of green belt land were released for housing in 2022?", "green belt"),
    ("What surveys of bats and badger setts were done along the route of the new road?", "badger"),
    ("Please send the biodiversity net gain report for application 23/0456.", "biodiversity"),
    ("Has the council approved any genetically modified crop trials on its farms?", "genetically modified"),
    # reg 2(1)(b) factors: substances, energy, noise, radiation, waste, emissions, discharges
    ("Please send the records of the pesticide spraying in council parks in 2023.", "pesticide"),
    ("What is the council's policy on glyphosate use on pavements?", "glyphosate"),
    ("How much energy did council buildings use in 2022/23, by building?", "energy"),
    ("Please provide the noise complaint figures for the Red Lion pub on Front Street.", "noise"),
    ("How many tonnes of household waste were sent to landfill last year?", "waste"),
    ("Records of sewage discharges into the River Wear from the Hendon outfall.", "sewage"),
    ("Please send radon test results for council houses in the Ward.", "radon"),
    ("Carbon emissions from the police vehicle fleet, 2019 to 2024.", "emissions"),
    # reg 2(1)(c)-(e) measures, reports and analyses
    ("Please send the council's climate action plan and its cost-benefit analysis.", "climate"),
    ("The environmental impact assessment for the bypass, please.", "environmental impact assessment"),
    ("Any tree preservation orders on Elm Avenue made since 2015.", "tree preservation order"),
    ("The business case for the low traffic neighbourhood in Jesmond.", "low traffic neighbourhood"),
    ("Please send the flood risk assessment for the new estate at Mill Lane.", "flood"),
    # reg 2(1)(f) human health and safety, built structures as affected
    ("How many council schools contain asbestos?", "asbestos"),
    ("Please send the structural survey of the listed building at 3 High Street affected by the works.",
     "listed building"),
    ("Japanese knotweed treatment on council land near my house.", "japanese knotweed"),
]


@pytest.mark.parametrize("body,words", ENVIRONMENTAL)
def test_eir_topics_across_regulation_2_1(body: str, words: str) -> None:
    regime, note = regime_of(body)
    assert regime == "eir" and words in note, note


PLAIN_FOI = [
    "Please send your policy on council tax band reviews. I ask because of my council tax band.",
    "How many burglaries were reported in my area in 2023?",
    "Please send the crime figures for my local area, broken down by month.",
    "For my own records, please confirm the number of PCSOs employed at 31 March.",
    "Further to my freedom of information request of 3 May, please also send the 2022 figures.",
    "Please send me the number of subject access requests you received in 2023 and how many were answered late.",
    "Please could you send me your policy on body-worn cameras.",
    "Hello, how many officers does the force employ, broken down by rank? Thanks, Bob Jones",
    "Please confirm if the force is planning to use facial recognition.",
    "I am writing as a resident of my street to ask how many CCTV cameras the council operates.",
    "Please tell me how many speeding tickets were issued on my road last year.",
    "What is the total spend on agency staff? This matters to me as a taxpayer.",
    "My records show I asked this in May, but I would like the 2023 number of Taser uses.",
    "Please send the contracts with G4S for custody services. My contact details are below.",
    "Please send the expenses claimed by my local councillor's office in 2023.",
    "Could you send me the data on stop and search for my ward, broken down by ethnicity?",
    "Please send me my information request's outcome letter template and your FOI procedure.",
    "How many times have your officers used force on children in my town?",
    "Please send the budget for my department for 2023.",
    "Please send me information on the road works on my road.",
    "Could you send me your records retention schedule?",
    "Please send all CCTV footage of the incident on 5 May outside my shop.",
    "Please send my son's school admissions policy.",
    "How many subject access requests did the force receive in 2024?",
    "Please tell me about your policy on subject access requests.",
]


@pytest.mark.parametrize("body", PLAIN_FOI)
def test_foi_that_says_my_in_passing_is_foi(body: str) -> None:
    regime, note = regime_of(body)
    assert (regime, note) == ("foi", FOI_NOTE)


# -- the data subject reader on its own ----------------------------------------------------------------------------

def test_normalise_keeps_subject_and_body_apart_and_straightens_apostrophes() -> None:
    assert normalise("My File\n\nPlease send\nit") == "my file. please send it"
    assert normalise("my son\u2019s file") == "my son's file"


def test_data_subject_fields() -> None:
    who = read_data_subject(normalise("Please send my son's records and the notes you hold about me."))
    assert who.own is not None and who.own.endswith("notes you hold about me") and who.child == "my son's records"
    assert who.other is None and who.dead is None
    nobody = read_data_subject(normalise("Please send the 2023 gritting budget for the county."))
    assert nobody == type(nobody)()


def test_keyword_lists_are_settings_and_an_empty_list_still_reads_meaning() -> None:
    body = "Please send the parking enforcement contract."
    assert read_regime("x", body, sar_keywords=(), eir_keywords=("parking",)).regime == "eir"
    assert read_regime("x", "Please send everything you hold on me.", sar_keywords=(),
                       eir_keywords=()).regime == "sar"
    assert read_regime("Subject access request", "Please send it.", sar_keywords=(),
                       eir_keywords=()).regime == "foi"


@pytest.mark.parametrize("subject,regime", [
    ("SAR", "sar"), ("RE: DSAR for J Smith", "sar"), ("Search and rescue (SAR) callouts 2023", "foi"),
    ("Sargent Road CCTV", "foi"), ("TSAR-2 contract", "foi"),
])
def test_sar_in_the_subject(subject: str, regime: str) -> None:
    assert regime_of("Please send the figures.", subject)[0] == regime


# -- the whole judgement: a request with no full name is never asked for one under the EIR or subject access ---------

def judged(body: str, subject: str = "Request", sender: str = "Jo <jo@example.org>") -> Decision:
    raw = (f"From: {sender}\r\nTo: foi@council.example\r\nSubject: {subject}\r\n"
           f"Message-ID: <{abs(hash(body + subject))}@example.org>\r\n"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\nThanks,\r\nJo\r\n").encode()
    return judge(parse_message(raw), None, JudgeSettings(mailbox="foi@council.example"))


NO_NAME_NEEDED = ([(s, b) for s, b, _ in SUBJECT_ACCESS] + [("Request", b) for b, _, _ in CHILDREN_AND_AGENTS]
                  + [("EIR", b) for b, _ in ENVIRONMENTAL])


@pytest.mark.parametrize("subject,body", NO_NAME_NEEDED)
def test_eir_and_subject_access_without_a_full_name_are_acknowledged_not_asked_for_a_name(subject: str,
                                                                                          body: str) -> None:
    decision = judged(body, subject)
    assert decision.regime in ("sar", "eir")
    # Someone else's data asked for on their behalf goes to staff (the authority to act), never to a notice.
    expected = "staff_review" if "third-party-data" in decision.details["rules"] else "acknowledge"
    assert decision.action == expected and decision.valid is True, decision.reasons
    assert "name" not in decision.missing and "missing-name" not in decision.details["rules"]
    assert "name-not-required" in decision.details["rules"]
    assert any(reason.startswith("regime: ") and ("subject access" in reason or "EIR" in reason)
               for reason in decision.reasons)


@pytest.mark.parametrize("body", [b for b, _ in THE_DEAD] + PLAIN_FOI[:4])
def test_foi_without_a_full_name_still_gets_a_section8_notice(body: str) -> None:
    decision = judged(body)
    assert (decision.regime, decision.action, decision.missing) == ("foi", "section8_notice", ("name",))


@pytest.mark.parametrize("body", [b for b, _ in THIRD_PARTIES])
def test_another_living_persons_data_goes_to_staff_never_a_form_letter(body: str) -> None:
    decision = judged(body)
    assert (decision.regime, decision.action) == ("foi", "staff_review"), decision.reasons
    assert "third-party-data" in decision.details["rules"]


def test_a_named_subject_access_request_is_acknowledged_with_its_reason() -> None:
    # judged() signs "Jo": the display name must agree with it, or the name conflict sends it to staff.
    decision = judged("Hi, can I have everything you have on me please", sender="Jo Shah <j.shah@example.net>")
    assert (decision.regime, decision.action, decision.applicant_name) == ("sar", "acknowledge", "Jo Shah")
    assert any("everything you have on me" in reason for reason in decision.reasons)
