"""A made-up caseload for practice, demonstrations and benchmarks.

Everything here is synthetic. Names come from common-name lists of the
communities a care manager serves; every phone number is in the (555) 0NN-NNNN
range, which no real line can have; plans, clinics, agencies and clinicians
are invented; Medicare-style member ids start with 0, which no real Medicare
number does.

The caseload is deterministic: the same ``seed`` gives the same people (ids,
names, conditions, medicines, notes) and the same ``as_of`` date places them
in time (birth dates, consent dates, note times, record timestamps are all
offsets from it). The random stream never depends on ``as_of``, so a caseload
made on another day holds the same people, only shifted in time.

Patients go through the same validation as a form (``new_patient``), so search
text and field rules are exactly those of real records. Each patient also gets an
assessment history (carenav.services.demo_assessments) and most a care plan
(carenav.services.demo_plans). Chart records, forms and plans are bulk-inserted in
one transaction: 400 patients take about 4 seconds, 10,000 about 112 (75 without the
plans, 25 without the histories either).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel

from carenav.errors import InvalidInput
from carenav.models import (
    CHART_RECORD_TYPES,
    AllergyIntolerance,
    CareTeamMember,
    CaseNote,
    Condition,
    MedicationStatement,
    Patient,
    PlanNeed,
    Record,
    RelatedPerson,
)
from carenav.services.demo_assessments import ASSESSMENT_TABLES, DemoAssessments, Profile
from carenav.services.demo_coordination import COORDINATION_TABLES, DemoCoordination
from carenav.services.demo_followup import FOLLOW_UP_TABLES, DemoFollowUp
from carenav.services.demo_plans import PLAN_TABLES, DemoPlans
from carenav.services.patients import count_patients, new_patient
from carenav.store.vault import Vault

T = TypeVar("T")
Row = dict[str, Any]
Progress = Callable[[int, int], None]

MAX_PATIENTS = 100_000
CHUNK = 500  # patients generated and inserted per step (progress is reported per step)


# == people ===================================================================


def names(text: str) -> tuple[str, ...]:
    """A name list written as one comma-separated string (keeps the lists readable)."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def nicknames(text: str) -> dict[str, str]:
    """Nicknames written as "Robert=Bob, William=Bill"."""
    pairs = (item.split("=") for item in names(text))
    return {given.strip(): nick.strip() for given, nick in pairs}


@dataclass(frozen=True)
class Culture:
    """Names and languages of one community; weights are shares of the caseload."""

    key: str
    weight: float
    family: tuple[str, ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    languages: tuple[tuple[str, float], ...]
    female_young: tuple[str, ...] = ()
    male_young: tuple[str, ...] = ()
    nicknames: Mapping[str, str] = field(default_factory=dict)
    spouse_shares_name: bool = True
    gendered_family: bool = False
    younger_share: float = 0.06
    english_names_for_children: float = 0.4


AMERICAN = Culture(
    key="american",
    weight=0.55,
    family=names(
        "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, "
        "Thomas, Moore, Martin, Jackson, Thompson, White, Harris, Clark, Lewis, Robinson, "
        "Walker, Hall, Allen, Young, King, Wright, Scott, Green, Baker, Adams, Nelson, Hill, "
        "Campbell, Mitchell, Roberts, Carter, Phillips, Evans, Turner, Parker, Collins, "
        "Edwards, Stewart, Morris, Murphy, Cook, Rogers, Morgan, Cooper, Peterson, Bailey, "
        "Reed, Kelly, Howard, Washington, Brooks, Sanders, Price, Bennett, Wood, Barnes, "
        "Ross, Henderson, Coleman, Jenkins, Perry, Powell, Sullivan, O'Brien, O'Connor, "
        "Kowalski, Nowak, Russo, Esposito, Ricci, Lemieux, Gagnon, Boucher, Fitzgerald, "
        "McCarthy, Doyle, Dubois, Ferreira, Medeiros, Schultz, Becker, Lindgren, Hanson"
    ),
    female=names(
        "Dorothy, Betty, Margaret, Shirley, Barbara, Patricia, Joan, Carol, Judith, Nancy, "
        "Joyce, Marilyn, Sandra, Donna, Linda, Helen, Jean, Ruth, Frances, Gloria, Evelyn, "
        "Phyllis, Janet, Beverly, Elaine, Diane, Rita, Lorraine, Geraldine, Theresa, "
        "Elizabeth, Earnestine, Willie Mae, Bernice, Gladys, Mattie, Loretta, Odessa, "
        "Constance"
    ),
    male=names(
        "Robert, William, James, John, Richard, Charles, Donald, George, Thomas, Joseph, "
        "Kenneth, Edward, Raymond, Harold, Ronald, Gerald, Walter, Frank, Paul, Eugene, "
        "Roger, Arthur, Lawrence, Ralph, Earl, Willie, Leroy, Clarence, Curtis, Otis, "
        "Francis, Dennis, Norman"
    ),
    female_young=names(
        "Jennifer, Jessica, Ashley, Amanda, Melissa, Stephanie, Heather, Nicole, Crystal, "
        "Tiffany, Brittany, Kayla, Latoya, Tamika, Sarah, Megan, Danielle, Kimberly"
    ),
    male_young=names(
        "Michael, Christopher, Joshua, Matthew, Brandon, Justin, Tyler, Kyle, Cody, Travis, "
        "Derrick, Marcus, Terrell, Jamal, Ryan, Anthony, Kevin, Jason"
    ),
    nicknames=nicknames(
        "Robert=Bob, William=Bill, James=Jim, Richard=Rick, Charles=Chuck, Donald=Don, "
        "Thomas=Tom, Joseph=Joe, Kenneth=Ken, Edward=Ed, Raymond=Ray, Ronald=Ron, "
        "Walter=Walt, Lawrence=Larry, Francis=Frank, Margaret=Peggy, Patricia=Pat, "
        "Elizabeth=Betsy, Judith=Judy, Dorothy=Dot, Frances=Fran, Beverly=Bev, "
        "Geraldine=Gerri, Theresa=Terry, Constance=Connie, Christopher=Chris, Matthew=Matt, "
        "Michael=Mike, Joshua=Josh, Anthony=Tony, Kimberly=Kim"
    ),
    languages=(("English", 0.99), ("American Sign Language", 0.01)),
    younger_share=0.16,
    english_names_for_children=1.0,
)

HISPANIC = Culture(
    key="hispanic",
    weight=0.17,
    family=names(
        "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, "
        "Torres, Rivera, Flores, Cruz, Ortiz, Morales, Reyes, Santiago, Colón, Vázquez, Díaz, "
        "Medina, Figueroa, Ruiz, Castro, Soto, Negrón, Rosario, Vega, Burgos, Quiñones, "
        "Maldonado, Velázquez, Acevedo, Marrero, Aponte, Jiménez"
    ),
    female=names(
        "María, Carmen, Rosa, Ana, Luz, Gloria, Teresa, Margarita, Gladys, Ramona, Josefina, "
        "Juana, Nilda, Migdalia, Aida, Iris, Zoraida, María Elena, Guadalupe, Esperanza, "
        "Lourdes, Milagros, Socorro"
    ),
    male=names(
        "José, Juan, Luis, Carlos, Miguel, Ángel, Jorge, Rafael, Pedro, Manuel, Francisco, "
        "Héctor, Ramón, Efraín, Wilfredo, Roberto, Juan Carlos, Orlando, Nelson, Edwin"
    ),
    female_young=names(
        "Yesenia, Jessica, Marisol, Jennifer, Yaritza, Stephanie, Yamilet, Daisy, Vanessa, Karina"
    ),
    male_young=names(
        "Luis, Christian, Jonathan, Kevin, José Luis, Giovanni, Alexis, Jesús, Erick, Javier"
    ),
    nicknames=nicknames(
        "Francisco=Paco, Guadalupe=Lupe, Rosa=Rosie, José=Pepe, Socorro=Coco, Ramón=Monchi, "
        "Josefina=Fina"
    ),
    languages=(("Spanish", 0.62), ("English", 0.38)),
    spouse_shares_name=False,
    younger_share=0.18,
)

VIETNAMESE = Culture(
    key="vietnamese",
    weight=0.05,
    family=names(
        "Nguyen, Nguyen, Nguyen, Tran, Tran, Le, Pham, Huynh, Hoang, Phan, Vu, Vo, Dang, Bui, "
        "Do, Ho, Ngo, Duong, Ly, Truong"
    ),
    female=names(
        "Lan, Hoa, Mai, Hanh, Thu, Huong, Linh, Phuong, Ngoc, Thuy, Kim, Hong, Thanh Ha, "
        "Bich, Xuan, Loan"
    ),
    male=names(
        "Minh, Tuan, Hung, Dung, Thanh, Long, Nam, Quang, Hai, Binh, Vinh, Duc, Phuc, Son, "
        "Khanh, Tam"
    ),
    nicknames=nicknames("Thuy=Tina, Hoa=Mary, Tuan=Tony, Khanh=Kenny"),
    languages=(("Vietnamese", 0.82), ("English", 0.18)),
    spouse_shares_name=False,
)

CANTONESE = Culture(
    key="cantonese",
    weight=0.03,
    family=names(
        "Wong, Chan, Ng, Cheung, Lam, Leung, Lee, Ho, Yip, Tam, Chow, Kwan, Lau, Fung, Mak, Tse"
    ),
    female=names(
        "Siu Fong, Wai Ling, Yuet Mei, Mei Ling, Yuk Lan, Kam Ying, Shuk Fan, Lai Kuen, So "
        "Han, Wai Chun"
    ),
    male=names(
        "Kwok Wah, Chi Keung, Wing Kei, Man Kit, Kin Wai, Yiu Ming, Siu Lun, Chun Hung, Wai "
        "Man, Ka Fai"
    ),
    nicknames=nicknames("Mei Ling=May, Wai Ling=Winnie, Kwok Wah=Peter, Ka Fai=Frank"),
    languages=(("Cantonese", 0.8), ("English", 0.2)),
    spouse_shares_name=False,
)

MANDARIN = Culture(
    key="mandarin",
    weight=0.03,
    family=names(
        "Wang, Zhang, Liu, Chen, Li, Yang, Zhao, Huang, Zhou, Wu, Xu, Sun, Ma, Zhu, Hu, Guo"
    ),
    female=names("Xiuying, Guilan, Yuzhen, Shufen, Lihua, Xiulan, Fengying, Meiling, Yulan, Jing"),
    male=names("Jianguo, Zhiqiang, Guohua, Wei, Jianhua, Ming, Deming, Yong, Jun, Zhiming"),
    nicknames=nicknames("Meiling=Amy, Wei=David, Jing=Jenny"),
    languages=(("Mandarin", 0.8), ("English", 0.2)),
    spouse_shares_name=False,
)

SOMALI = Culture(
    key="somali",
    weight=0.03,
    family=names(
        "Abdi, Mohamed, Hassan, Ali, Warsame, Farah, Omar, Jama, Osman, Ahmed, Hussein, "
        "Yusuf, Aden, Egal, Nur, Dahir, Abdullahi, Ismail"
    ),
    female=names(
        "Amina, Fadumo, Hodan, Halima, Khadija, Sahra, Hawa, Ubah, Asha, Maryan, Ifrah, "
        "Sagal, Nimo, Filsan"
    ),
    male=names(
        "Abdi, Mohamed, Ahmed, Hassan, Abdullahi, Omar, Ali, Yusuf, Ibrahim, Abdirahman, "
        "Farah, Said, Mahad, Guled"
    ),
    languages=(("Somali", 0.85), ("English", 0.15)),
    spouse_shares_name=False,
)

RUSSIAN = Culture(
    key="russian",
    weight=0.05,
    family=names(
        "Ivanov, Petrov, Smirnov, Kuznetsov, Popov, Sokolov, Volkov, Morozov, Novikov, "
        "Fedorov, Lebedev, Kozlov, Vasilyev, Pavlov, Kuzmin, Orlov, Shevchenko, Bondarenko, "
        "Kovalenko, Tkachenko, Rabinovich, Melnyk"
    ),
    female=names(
        "Lyudmila, Galina, Tatiana, Valentina, Nina, Olga, Svetlana, Irina, Raisa, Zoya, "
        "Larisa, Nadezhda, Lidiya, Vera"
    ),
    male=names(
        "Vladimir, Sergei, Nikolai, Mikhail, Viktor, Boris, Yuri, Anatoly, Aleksandr, "
        "Gennady, Igor, Leonid, Pyotr, Arkady"
    ),
    nicknames=nicknames("Aleksandr=Sasha, Mikhail=Misha, Nadezhda=Nadia, Lyudmila=Luda"),
    languages=(("Russian", 0.72), ("Ukrainian", 0.1), ("English", 0.18)),
    gendered_family=True,
)

HAITIAN = Culture(
    key="haitian",
    weight=0.05,
    family=names(
        "Pierre, Jean-Louis, Joseph, Charles, Baptiste, Desir, Louis, Saint-Fleur, François, "
        "Étienne, Dorval, Augustin, Célestin, Toussaint, Moïse, Bellegarde, Lafleur, "
        "Jean-Baptiste"
    ),
    female=names(
        "Marie, Rose-Marie, Jeanne, Yolande, Marlène, Nadège, Guerline, Mirlande, Fabienne, "
        "Claudette, Lourdes, Gisèle, Marie-Ange, Rosette"
    ),
    male=names(
        "Jean, Pierre, Jacques, Wilner, Fritz, Dieudonné, Jean-Claude, Roosevelt, Evens, "
        "Frantz, Guy, Jean-Robert, Emmanuel, Yves"
    ),
    nicknames=nicknames("Jean-Claude=Claude, Marie-Ange=Ange, Dieudonné=Dodo"),
    languages=(("Haitian Creole", 0.75), ("French", 0.05), ("English", 0.2)),
)

ARABIC = Culture(
    key="arabic",
    weight=0.04,
    family=names(
        "Al-Hashimi, Haddad, Khalil, Saleh, Mansour, Nasser, Hamdan, Aziz, Al-Amin, Darwish, "
        "Barakat, Qasim, Yassin, Jaber, Hussein, Abboud, Al-Rawi, Shammas"
    ),
    female=names(
        "Fatima, Aisha, Mariam, Layla, Nour, Samira, Huda, Salma, Rania, Zainab, Amal, Hanan, "
        "Widad, Suad"
    ),
    male=names(
        "Mohammed, Ahmad, Ali, Omar, Khalid, Yousef, Hassan, Ibrahim, Mahmoud, Tariq, Samir, "
        "Karim, Nabil, Adnan"
    ),
    nicknames=nicknames("Mohammed=Mo, Yousef=Joe"),
    languages=(("Arabic", 0.78), ("English", 0.22)),
    spouse_shares_name=False,
)

CULTURES: tuple[Culture, ...] = (
    AMERICAN,
    HISPANIC,
    VIETNAMESE,
    CANTONESE,
    MANDARIN,
    SOMALI,
    RUSSIAN,
    HAITIAN,
    ARABIC,
)


def feminine_family_name(name: str) -> str:
    """Russian surnames take a feminine ending (Ivanov -> Ivanova); others do not change."""
    if name.endswith(("ov", "ev", "in", "yn")):
        return name + "a"
    return name


# == places ===================================================================

# (city, state, ZIP codes, weight)
TOWNS: tuple[tuple[str, str, tuple[str, ...], float], ...] = (
    ("Springfield", "MA", ("01103", "01104", "01105", "01107", "01108", "01109", "01118"), 0.34),
    ("Holyoke", "MA", ("01040",), 0.1),
    ("Chicopee", "MA", ("01013", "01020"), 0.1),
    ("West Springfield", "MA", ("01089",), 0.06),
    ("Westfield", "MA", ("01085",), 0.05),
    ("Hartford", "CT", ("06105", "06106", "06112", "06114", "06120"), 0.18),
    ("East Hartford", "CT", ("06108",), 0.06),
    ("Enfield", "CT", ("06082",), 0.05),
    ("Brattleboro", "VT", ("05301",), 0.06),
)

STREETS: tuple[str, ...] = names(
    "Maple St, Chestnut St, State St, Elm Ave, Oak Grove Ave, Walnut St, Pine St, Dwight "
    "St, Belmont Ave, Sumner Ave, Wilbraham Rd, Allen St, Boston Rd, Bay St, Franklin St, "
    "High St, Pleasant St, Main St, Park Ave, Mill St, Washington St, Summer St, Prospect "
    "St, Union St, Center St, Church St, Hillside Ave, Birch Ln, Orchard St, Spring St, "
    "Locust St, Cherry St, Garden St, Sycamore Ave, Laurel St, Riverside Dr, Columbus "
    "Ave, Hancock St"
)

SENIOR_HOUSING: tuple[str, ...] = (
    "Cedar Glen Senior Apartments",
    "Riverview Towers",
    "Maple Court Assisted Living",
    "Brookside Elderly Housing",
)

VISIT_NOTES: tuple[str, ...] = (
    "Dog in yard, use side door",
    "Ring twice; hard of hearing",
    "Third floor, no elevator",
    "Call from the lobby; buzzer does not work",
    "Park on the street; the driveway is shared",
    "Key in lockbox by the back door; daughter has the code",
    "Knock loudly and wait; uses a walker and needs time to reach the door",
    "Prefers morning visits",
    "Shoes off at the door",
    "Entrance at the rear of the building",
    "Two cats in the home",
    "Smoking in the home",
    "Steep front steps with no railing; use the ramp at the side",
    "Call before visiting; does not open the door to unknown visitors",
)

NO_FIXED_ADDRESS = "No fixed address"
AIDE_HOURS: tuple[str, ...] = (
    "weekdays 9 am to 1 pm",
    "Monday, Wednesday, Friday mornings",
    "evenings 4 to 8 pm",
)
OXYGEN_NOTE = "Oxygen in use; no smoking or open flames in the home"
DEMENTIA_NOTE = "Call the family before visiting; may not answer the door"
NO_FIXED_ADDRESS_NOTE = (
    "No fixed address; meets at the public library or the Main St drop-in center. Reach by mobile"
)


# == plans and payers ==========================================================

MEDICAID_BY_STATE: dict[str, str] = {
    "MA": "MassHealth (Medicaid)",
    "CT": "HUSKY Health (Medicaid)",
    "VT": "Green Mountain Care (Medicaid)",
}
ADVANTAGE_PLANS: tuple[tuple[str, str], ...] = (
    ("Evergreen Senior Advantage (HMO)", "EVG"),
    ("Bluewater Medicare Choice (PPO)", "BWC"),
    ("Keystone Harmony Advantage (HMO)", "KHA"),
)
DUAL_PLAN = ("Lakeside Dual Complete (HMO D-SNP)", "LDC")
ORIGINAL_MEDICARE = "Medicare (Original)"
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # the letters Medicare numbers use
MBI_SHAPE = "0LADLADLLDD"  # D digit, L letter, A either; a leading 0 marks it as made up


# == clinicians and agencies ====================================================


@dataclass(frozen=True)
class Office:
    name: str
    phone: str
    fax: str


def _office(number: int, name: str) -> Office:
    """Fixed fictional office numbers: (555) 010-1000 upward, fax one above the phone."""
    line = 1000 + number * 20
    return Office(name, f"(555) 010-{line:04d}", f"(555) 010-{line + 1:04d}")


PRIMARY_CARE: dict[str, tuple[tuple[Office, tuple[str, ...]], ...]] = {
    "MA": (
        (
            _office(1, "Maple Street Family Health"),
            ("Priya Raman, MD", "Thomas Brennan, DO", "Maria Esteves, NP"),
        ),
        (
            _office(2, "Riverbend Community Health Center"),
            ("Daniel Okafor, MD", "Linh Tran, MD", "Jorge Villanueva, MD", "Emily Chu, PA-C"),
        ),
        (
            _office(3, "Hillside Internal Medicine"),
            ("Rachel Goldberg, MD", "Patrick Doherty, MD", "Olga Petrenko, MD"),
        ),
        (_office(4, "Northgate Primary Care"), ("Samuel Adeyemi, MD", "Karen Lindqvist, NP")),
    ),
    "CT": (
        (
            _office(5, "Capitol Avenue Health Center"),
            ("Ahmed Farouk, MD", "Hannah Kowalczyk, NP", "Marcus Bell, MD"),
        ),
        (_office(6, "Elm Park Medical Associates"), ("Anjali Mehta, DO", "Robert Ianucci, MD")),
    ),
    "VT": ((_office(7, "Green River Family Practice"), ("Sarah Whitcomb, MD", "Ben Okoro, NP")),),
}

# role key -> (care-team role code, office, clinicians)
SPECIALISTS: dict[str, tuple[str, Office, tuple[str, ...]]] = {
    "cardiology": (
        "specialist",
        _office(10, "Riverbend Heart Associates"),
        ("Alan Whitaker, MD", "Neha Kapoor, MD", "Carlos Mendez, MD", "Susan Park, MD"),
    ),
    "pulmonology": (
        "specialist",
        _office(11, "Valley Lung and Sleep Center"),
        ("Gregory Haines, MD", "Fatima Rahman, MD"),
    ),
    "nephrology": (
        "specialist",
        _office(12, "Connecticut River Kidney Care"),
        ("Robert Lin, MD", "Adaeze Nwosu, MD"),
    ),
    "endocrinology": (
        "specialist",
        _office(13, "Hampden Diabetes and Endocrine"),
        ("Julia Moreau, MD", "David Sato, NP"),
    ),
    "neurology": ("specialist", _office(14, "Pioneer Neurology Group"), ("Helen Strauss, MD",)),
    "psychiatry": (
        "behavioral_health",
        _office(15, "Pathways Counseling Center"),
        ("Tobias Greene, PMHNP", "Megan O'Rourke, LICSW", "Rosa Delgado, LMHC"),
    ),
    "addiction": (
        "behavioral_health",
        _office(16, "Harbor Recovery Clinic"),
        ("Lauren Fisk, MD", "Andre Baptiste, NP"),
    ),
}

HOME_HEALTH: tuple[tuple[Office, tuple[str, ...]], ...] = (
    (_office(20, "Bright Path Home Health"), ("Joanne Pike, RN", "Marcus Diaz, RN")),
    (_office(21, "Evergreen Home Care Partners"), ("Linda Osei, RN",)),
    (_office(22, "Hillcrest Visiting Nurses"), ("Kathleen Moran, RN", "Tuyet Pham, RN")),
)
PHARMACIES: tuple[Office, ...] = (
    _office(30, "Hilltop Family Pharmacy"),
    _office(31, "Main Street Apothecary"),
    _office(32, "Riverside Discount Pharmacy"),
    _office(33, "Corner Drug"),
    _office(34, "Harbor Health Pharmacy"),
)
OXYGEN_SUPPLIER = _office(40, "Valley Oxygen and Medical Supply")
OXYGEN_DELIVERY = "Home oxygen concentrator and portable tanks; delivers tanks on Tuesdays"
ELDER_SERVICES = _office(41, "Riverbend Elder Services")
HOME_CARE_AGENCIES: tuple[str, ...] = ("Comfort First Home Care", "Evergreen Home Care Partners")
HOSPITALS: tuple[str, ...] = (
    "Valley General Hospital",
    "St. Brendan's Medical Center",
    "Capitol Regional Hospital",
)


# == conditions =================================================================

# key -> variants (problem list text, ICD-10-CM code)
PROBLEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "hfref": (("Heart failure with reduced ejection fraction (HFrEF)", "I50.22"),),
    "hfpef": (("Heart failure with preserved ejection fraction (HFpEF)", "I50.32"),),
    "diabetes": (
        ("Type 2 diabetes", "E11.9"),
        ("Type 2 diabetes with hyperglycemia", "E11.65"),
        ("Type 2 diabetes with diabetic neuropathy", "E11.40"),
    ),
    "copd": (
        ("COPD (chronic obstructive pulmonary disease)", "J44.9"),
        ("COPD with recent flare", "J44.1"),
    ),
    "ckd3a": (("Chronic kidney disease, stage 3a", "N18.31"),),
    "ckd3b": (("Chronic kidney disease, stage 3b", "N18.32"),),
    "ckd4": (("Chronic kidney disease, stage 4", "N18.4"),),
    "hyperlipidemia": (("Hyperlipidemia", "E78.5"),),
    "cad": (("Coronary artery disease", "I25.10"),),
    "afib": (("Atrial fibrillation", "I48.91"), ("Permanent atrial fibrillation", "I48.21")),
    "depression": (
        ("Major depressive disorder, recurrent, moderate", "F33.1"),
        ("Major depressive disorder, single episode, moderate", "F32.1"),
        ("Depression", "F32.A"),
    ),
    "anxiety": (("Generalized anxiety disorder", "F41.1"),),
    "dementia": (("Dementia", "F03.90"), ("Alzheimer's disease", "G30.9")),
    "osteoarthritis": (
        ("Osteoarthritis of both knees", "M17.0"),
        ("Osteoarthritis of hip", "M16.9"),
        ("Osteoarthritis", "M19.90"),
    ),
    "hypothyroidism": (("Hypothyroidism", "E03.9"),),
    "bph": (("Enlarged prostate (BPH)", "N40.0"),),
    "falls": (("History of falls", "Z91.81"),),
    "stroke": (("History of stroke", "Z86.73"),),
    "parkinson": (("Parkinson's disease", "G20.A1"),),
    "gerd": (("Gastroesophageal reflux disease (GERD)", "K21.9"),),
    "tobacco": (("Nicotine dependence, cigarettes", "F17.210"),),
    "obesity": (("Obesity", "E66.9"),),
    "oud": (("Opioid use disorder, severe", "F11.20"),),
    "aud": (("Alcohol use disorder, moderate", "F10.20"),),
    "bipolar": (("Bipolar disorder", "F31.9"),),
    "schizophrenia": (("Schizophrenia", "F20.9"),),
    "hepc": (("Chronic hepatitis C", "B18.2"),),
    "chronic_pain": (("Chronic low back pain", "M54.50"),),
    "homeless": (("Homelessness", "Z59.00"),),
}

# (key while in remission, text, code)
REMISSION: dict[str, tuple[str, str]] = {
    "depression": ("Major depressive disorder, recurrent, in full remission", "F33.42"),
    "aud": ("Alcohol use disorder, in remission", "F10.21"),
    "oud": ("Opioid use disorder, in remission, on maintenance treatment", "F11.21"),
}

HEART_FAILURE = frozenset({"hfref", "hfpef"})
KIDNEY = frozenset({"ckd3a", "ckd3b", "ckd4"})
BEHAVIOURAL = frozenset({"depression", "anxiety", "bipolar", "schizophrenia"})
NOT_CHRONIC = frozenset({"falls", "stroke", "homeless", "obesity"})

# medicine class -> the problems it treats; a medicine never starts before the earliest
# recorded onset among the problems of its first (main) class
TREATS: dict[str, tuple[str, ...]] = {
    "loop": ("hfref", "hfpef"), "arni": ("hfref",), "hydralazine": ("hfref",),
    "mra": ("hfref", "hfpef"), "hf_beta_blocker": ("hfref",),
    "beta_blocker": ("hfref", "afib", "cad"),
    "sglt2": ("hfref", "hfpef", "diabetes"), "metformin": ("diabetes",), "basal": ("diabetes",),
    "bolus": ("diabetes",), "sulfonylurea": ("diabetes",), "glp1": ("diabetes",),
    "lisinopril": ("hypertension",), "raas": ("hypertension",), "ccb": ("hypertension",),
    "thiazide": ("hypertension",), "anticoagulant": ("afib",),
    "statin": ("hyperlipidemia", "cad", "stroke", "diabetes"),
    "ezetimibe": ("hyperlipidemia", "cad", "stroke", "diabetes"), "aspirin": ("cad",),
    "nitrate": ("cad",), "antiplatelet": ("stroke",), "maintenance_inhaler": ("copd",),
    "rescue_inhaler": ("copd",), "steroid_course": ("copd",), "oxygen": ("copd",),
    "antidepressant": ("depression", "anxiety"), "buspirone": ("anxiety",),
    "mood_stabilizer": ("bipolar",), "antipsychotic": ("schizophrenia",),
    "cholinesterase": ("dementia",), "memantine": ("dementia",), "opioid_agonist": ("oud",),
    "naloxone": ("oud",), "naltrexone": ("aud",), "acamprosate": ("aud",), "thiamine": ("aud",),
    "thyroid": ("hypothyroidism",), "alpha_blocker": ("bph",), "levodopa": ("parkinson",),
    "acetaminophen": ("osteoarthritis", "chronic_pain"), "topical_nsaid": ("osteoarthritis",),
    "gabapentin": ("chronic_pain",), "acid": ("gerd",), "nicotine": ("tobacco",),
    "hcv": ("hepc",), "bicarbonate": ("ckd3b", "ckd4"), "nsaid": ("ckd3b", "ckd4"),
}  # fmt: skip

# years since onset (low, high); None: onset not recorded for this kind of problem
ONSET_YEARS: dict[str, tuple[int, int] | None] = {
    "hfref": (1, 10),
    "hfpef": (1, 10),
    "diabetes": (3, 25),
    "copd": (2, 15),
    "ckd3a": (1, 8),
    "ckd3b": (1, 8),
    "ckd4": (1, 6),
    "hypertension": (5, 30),
    "hyperlipidemia": (5, 25),
    "cad": (2, 20),
    "afib": (1, 10),
    "depression": (1, 30),
    "anxiety": (2, 30),
    "dementia": (1, 6),
    "osteoarthritis": (3, 20),
    "hypothyroidism": (3, 25),
    "bph": (2, 15),
    "falls": None,
    "stroke": (1, 10),
    "parkinson": (1, 8),
    "gerd": (2, 15),
    "tobacco": None,
    "obesity": None,
    "oud": (2, 15),
    "aud": (2, 20),
    "bipolar": (5, 25),
    "schizophrenia": (5, 25),
    "hepc": (2, 15),
    "chronic_pain": (1, 10),
    "homeless": (0, 2),
}


def hypertension_problem(problems: Sequence[str]) -> tuple[str, str]:
    """ICD-10-CM presumes hypertension causes heart failure and kidney disease when both exist."""
    heart = any(p in HEART_FAILURE for p in problems)
    kidney = any(p in KIDNEY for p in problems)
    if heart and kidney:
        return ("Hypertensive heart and chronic kidney disease with heart failure", "I13.0")
    if heart:
        return ("Hypertensive heart disease with heart failure", "I11.0")
    if kidney:
        return ("Hypertensive chronic kidney disease", "I12.9")
    return ("Essential hypertension", "I10")


# == allergies ==================================================================

# substance, reaction, severity, share of patients, medicines it rules out
ALLERGIES: tuple[tuple[str, str, str, float, frozenset[str]], ...] = (
    ("Penicillin", "Hives", "moderate", 0.1, frozenset()),
    ("Sulfa antibiotics (sulfamethoxazole)", "Rash", "mild", 0.06, frozenset()),
    ("Codeine", "Nausea and vomiting", "mild", 0.04, frozenset()),
    ("Morphine", "Itching", "mild", 0.02, frozenset()),
    (
        "Lisinopril",
        "Swelling of lips and tongue (angioedema)",
        "severe",
        0.015,
        frozenset({"lisinopril", "arni"}),
    ),
    ("Atorvastatin", "Muscle aches", "mild", 0.02, frozenset({"statin"})),
    ("Metformin", "Diarrhea", "mild", 0.015, frozenset({"metformin"})),
    ("Aspirin", "Wheezing", "moderate", 0.01, frozenset({"aspirin"})),
    ("Latex", "Skin rash on contact", "mild", 0.02, frozenset()),
    ("Shellfish", "Throat swelling", "severe", 0.02, frozenset()),
    ("Iodinated contrast dye", "Hives", "moderate", 0.015, frozenset()),
    ("Bee stings", "Swelling and trouble breathing", "severe", 0.01, frozenset()),
    ("Ciprofloxacin", "Tendon pain", "moderate", 0.01, frozenset()),
)


# == the random source ============================================================


class Draw:
    """The single seeded random stream and the few ways the generator uses it."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def weighted(self, options: Sequence[tuple[T, float]]) -> T:
        return self.rng.choices([o for o, _ in options], [w for _, w in options])[0]

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        return self.rng.sample(list(items), min(count, len(items)))

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def phone(self) -> str:
        """A number in the (555) 0NN-NNNN range: area code 555 and a 0 exchange are unassigned."""
        return f"(555) 0{self.rng.randrange(100):02d}-{self.rng.randrange(10000):04d}"

    def digits(self, count: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(count))


# == one synthetic patient ==========================================================


@dataclass
class Med:
    name: str
    dose: str
    route: str
    frequency: str
    purpose: str
    by: str = "pcp"  # who prescribes: "pcp" or a SPECIALISTS key
    status: str = "active"
    started_days_ago: int | None = None
    stopped_days_ago: int | None = None
    classes: tuple[str, ...] = ()


@dataclass
class Person:
    """What the generator decided about one patient, before it becomes rows."""

    culture: Culture
    sex: str
    age_days: int
    younger: bool
    family_name: str
    given_name: str
    language: str
    problems: list[str] = field(default_factory=list)
    remission: set[str] = field(default_factory=set)
    resolved: set[str] = field(default_factory=set)
    onset_days: dict[str, int] = field(default_factory=dict)  # problem -> days ago, if known
    programs: list[str] = field(default_factory=list)
    risk_tier: str = "moderate"
    status: str = "active"
    payer_kind: str = "medicare"
    state: str = "MA"
    ruled_out: set[str] = field(default_factory=set)
    team: dict[str, str] = field(default_factory=dict)  # role key -> clinician name
    meds: list[Med] = field(default_factory=list)
    family: list[Row] = field(default_factory=list)
    recent_discharge: bool = False
    homeless: bool = False

    @property
    def age(self) -> int:
        return self.age_days // 365

    @property
    def female(self) -> bool:
        return self.sex == "female"

    def has(self, *keys: str) -> bool:
        return any(k in self.problems for k in keys)

    @property
    def non_english(self) -> bool:
        return self.language != "English"


def _given_name(draw: Draw, culture: Culture, female: bool, young: bool) -> str:
    if young and culture.female_young and culture.male_young:
        return draw.pick(culture.female_young if female else culture.male_young)
    return draw.pick(culture.female if female else culture.male)


def _family_name_for(culture: Culture, name: str, female: bool) -> str:
    return feminine_family_name(name) if culture.gendered_family and female else name


def _new_person(draw: Draw) -> Person:
    culture = draw.weighted([(c, c.weight) for c in CULTURES])
    younger = draw.chance(culture.younger_share)
    if younger:
        sex = draw.weighted([("female", 0.42), ("male", 0.565), ("other", 0.015)])
        age_years = int(draw.rng.triangular(22, 55, 40))
    else:
        sex = draw.weighted([("female", 0.58), ("male", 0.42)])
        age_years = int(draw.rng.triangular(55, 96, 77))
    age_days = age_years * 365 + draw.between(0, 364)
    name_female = sex == "female" or (sex == "other" and draw.chance(0.5))
    family = _family_name_for(culture, draw.pick(culture.family), name_female)
    if culture is HISPANIC and draw.chance(0.15):
        family = f"{family} {draw.pick(culture.family)}"
    given = _given_name(draw, culture, name_female, younger)
    if family.startswith(given):  # "Abdi Abdi" happens, but reads like a mistake in a demo
        given = _given_name(draw, culture, name_female, younger)
    language = draw.weighted(culture.languages)
    return Person(culture, sex, age_days, younger, family, given, language)


# -- problems -------------------------------------------------------------------


def _older_problems(draw: Draw, p: Person) -> list[str]:
    old, oldest = p.age >= 80, p.age >= 88
    found: list[str] = []

    def maybe(key: str, share: float) -> bool:
        if draw.chance(share):
            found.append(key)
            return True
        return False

    hyp = draw.chance(0.68)
    lipid = maybe("hyperlipidemia", 0.5)
    dm = maybe("diabetes", 0.34)
    cad = maybe("cad", 0.16 + 0.08 * dm)
    hf = draw.chance(0.2 + 0.1 * cad)
    if hf:
        found.insert(0, "hfref" if draw.chance(0.55) else "hfpef")
    maybe("afib", 0.12 + 0.15 * hf + 0.05 * old)
    copd = maybe("copd", 0.17)
    if draw.chance(0.18 + 0.15 * dm + 0.08 * hyp + 0.05 * old):
        found.append(draw.weighted([("ckd3a", 0.5), ("ckd3b", 0.35), ("ckd4", 0.15)]))
    depressed = maybe("depression", 0.2)
    maybe("anxiety", 0.1 + 0.1 * depressed)
    dementia = maybe("dementia", 0.04 + 0.1 * old + 0.1 * oldest)
    maybe("osteoarthritis", 0.3)
    maybe("hypothyroidism", 0.08 + 0.05 * p.female)
    if p.sex == "male":
        maybe("bph", 0.25)
    maybe("stroke", 0.06 + 0.04 * ("afib" in found))
    maybe("parkinson", 0.02)
    maybe("gerd", 0.15)
    maybe("obesity", 0.12 + 0.15 * dm)
    maybe("tobacco", 0.3 if copd else 0.05)
    maybe("aud", 0.03)
    maybe("oud", 0.012)
    maybe("falls", 0.05 + 0.1 * old + 0.05 * dementia)
    if hyp or not (set(found) - NOT_CHRONIC - {"hyperlipidemia", "gerd"}):
        found.insert(1 if hf else 0, "hypertension")
    if not lipid and not hyp and not found:
        found.append("hypertension")
    return found


def _younger_problems(draw: Draw, p: Person) -> list[str]:
    main = draw.weighted(
        [
            ("oud", 0.33),
            ("aud", 0.2),
            ("depression", 0.2),
            ("bipolar", 0.14),
            ("schizophrenia", 0.13),
        ]
    )
    found = [main]
    serious_mental_illness = main in ("bipolar", "schizophrenia")
    if main == "oud" and draw.chance(0.2):
        found.append("aud")
    if main != "depression" and draw.chance(0.35):
        found.append("depression")
    if draw.chance(0.4):
        found.append("anxiety")
    if draw.chance(0.15 + 0.1 * serious_mental_illness):
        found.append("diabetes")
    if draw.chance(0.2):
        found.append("hypertension")
    if main == "oud" and draw.chance(0.35):
        found.append("hepc")
    if draw.chance(0.3 if main == "oud" else 0.12):
        found.append("chronic_pain")
    if draw.chance(0.2 + 0.1 * serious_mental_illness):
        found.append("obesity")
    if draw.chance(0.55 if main in ("oud", "aud") or serious_mental_illness else 0.3):
        found.append("tobacco")
    if draw.chance(0.12):
        found.append("homeless")
    return found


def _choose_problems(draw: Draw, p: Person) -> None:
    p.problems = _younger_problems(draw, p) if p.younger else _older_problems(draw, p)
    p.homeless = "homeless" in p.problems
    if "depression" in p.problems and draw.chance(0.15):
        p.remission.add("depression")
    if "aud" in p.problems and draw.chance(0.3):
        p.remission.add("aud")
    if "oud" in p.problems and draw.chance(0.35):
        p.remission.add("oud")
    if "hepc" in p.problems and draw.chance(0.4):
        p.resolved.add("hepc")
    for key in p.problems:
        years = ONSET_YEARS.get(key)
        if years is not None and draw.chance(0.8):
            most = max(min(years[1], p.age - 18), 0)
            ago = min(draw.between(*years), most) * 365
            p.onset_days[key] = ago + draw.between(1, 364)


def chronic_count(problems: Sequence[str]) -> int:
    return sum(1 for key in problems if key not in NOT_CHRONIC)


# -- risk, programmes, status ---------------------------------------------------------


def _risk_tier(draw: Draw, p: Person) -> str:
    score = chronic_count(p.problems) * 0.6
    score += 1.2 * p.has("hfref", "hfpef") + 0.8 * p.has("copd") + 0.8 * p.has("dementia")
    score += 0.8 * p.has("ckd4") + 1.0 * p.has("oud") + 0.6 * p.has("schizophrenia")
    score += 0.6 * (p.age >= 85) + 1.0 * p.homeless + 1.0 * p.recent_discharge
    score += draw.rng.gauss(0, 0.9)
    if score < 1.2:
        return "low"
    if score < 2.9:
        return "moderate"
    if score < 4.6:
        return "high"
    return "very_high"


def _programs(draw: Draw, p: Person) -> list[str]:
    chosen: list[str] = []
    if p.younger:
        if p.has("oud", "aud"):
            chosen.append("sud")
        if p.has(*BEHAVIOURAL) and draw.chance(0.6):
            chosen.append("bhi")
        if draw.chance(0.8) or not chosen:
            chosen.append("case_mgmt")
        return chosen
    if draw.chance(0.035) and p.age >= 80 and p.has("hfref", "hfpef", "dementia", "copd"):
        return ["hospice"]
    chronic = chronic_count(p.problems)
    if chronic >= 2:
        complex_care = p.risk_tier in ("high", "very_high") and draw.chance(0.55)
        chosen.append("ccm_complex" if complex_care else "ccm")
    else:
        chosen.append("pcm")
    if p.recent_discharge:
        chosen.insert(0, "tcm")
    monitored = p.has("hfref", "hfpef", "copd") or (p.has("diabetes") and p.has("hypertension"))
    if monitored and draw.chance(0.35 if p.has("hfref", "hfpef", "copd") else 0.1):
        chosen.append("rpm")
    if p.has("depression", "anxiety") and draw.chance(0.55):
        chosen.append("bhi")
    if p.has("oud", "aud"):
        chosen.append("sud")
    needs_help_at_home = p.has("dementia", "falls") or p.age >= 85
    if p.payer_kind in ("medicaid", "dual") and needs_help_at_home and draw.chance(0.6):
        chosen.append("ltss")
    if draw.chance(0.06):
        chosen.append("case_mgmt")
    return chosen


# -- payer, contact details, consent ---------------------------------------------------


def _payer(draw: Draw, p: Person) -> tuple[str, str]:
    if p.age >= 65:
        p.payer_kind = draw.weighted([("medicare", 0.35), ("advantage", 0.4), ("dual", 0.25)])
    else:
        p.payer_kind = draw.weighted([("medicaid", 0.7), ("medicare", 0.15), ("dual", 0.15)])
    medicaid = MEDICAID_BY_STATE[p.state]
    if p.payer_kind == "medicaid":
        return medicaid, "100" + draw.digits(9)
    if p.payer_kind == "advantage":
        plan, prefix = draw.pick(ADVANTAGE_PLANS)
        return plan, prefix + draw.digits(9)
    if p.payer_kind == "dual":
        if draw.chance(0.5):
            return DUAL_PLAN[0], DUAL_PLAN[1] + draw.digits(9)
        plain = medicaid.removesuffix(" (Medicaid)")
        return f"Medicare + {plain} (dual eligible)", _medicare_number(draw)
    return ORIGINAL_MEDICARE, _medicare_number(draw)


def _medicare_number(draw: Draw) -> str:
    out = []
    for kind in MBI_SHAPE:
        if kind == "0":
            out.append("0")
        elif kind == "D":
            out.append(str(draw.rng.randrange(10)))
        elif kind == "L":
            out.append(draw.pick(MBI_LETTERS))
        else:
            out.append(draw.pick(MBI_LETTERS + "0123456789"))
    return "".join(out)


def _address(draw: Draw, p: Person) -> dict[str, str]:
    city, state, zips, _weight = draw.weighted([(t, t[3]) for t in TOWNS])
    p.state = state
    if p.homeless:
        return {"address_line": NO_FIXED_ADDRESS, "city": city, "state": state, "postal_code": ""}
    number = draw.between(1, 40) if draw.chance(0.3) else draw.between(41, 2400)
    line = f"{number} {draw.pick(STREETS)}"
    if not p.younger and draw.chance(0.07):
        flat = f"Apt {draw.between(1, 6)}{draw.between(1, 30):02d}"
        line = f"{draw.pick(SENIOR_HOUSING)}, {line}, {flat}"
    elif draw.chance(0.3):
        line += draw.pick(
            (
                f", Apt {draw.between(1, 4)}{draw.pick('ABCD')}",
                f", Unit {draw.between(1, 12)}",
                f", #{draw.between(1, 3)}{draw.pick('LR')}",
                ", 2nd floor",
                ", 3rd floor",
            )
        )
    return {"address_line": line, "city": city, "state": state, "postal_code": draw.pick(zips)}


def _visit_notes(draw: Draw, p: Person, on_oxygen: bool) -> str:
    notes: list[str] = []
    if p.homeless:
        return NO_FIXED_ADDRESS_NOTE
    if on_oxygen:
        notes.append(OXYGEN_NOTE)
    if p.has("dementia") and draw.chance(0.5):
        notes.append(DEMENTIA_NOTE)
    if draw.chance(0.25):
        notes.append(draw.pick(VISIT_NOTES))
        if draw.chance(0.2):
            extra = draw.pick(VISIT_NOTES)
            if extra not in notes:
                notes.append(extra)
    return ". ".join(notes)


def _phones(draw: Draw, p: Person) -> dict[str, str]:
    kind = draw.weighted([("both", 0.45), ("mobile", 0.3), ("home", 0.25)])
    if p.younger or p.homeless:
        kind = "mobile"
    return {
        "phone_home": draw.phone() if kind in ("both", "home") else "",
        "phone_mobile": draw.phone() if kind in ("both", "mobile") else "",
    }


# -- care team -----------------------------------------------------------------------


def _care_team(draw: Draw, p: Person) -> list[Row]:
    clinic, doctors = draw.pick(PRIMARY_CARE[p.state])
    pcp = draw.pick(doctors)
    p.team["pcp"] = pcp
    members: list[Row] = [
        _team_row(
            "pcp",
            pcp,
            clinic,
            draw.pick(
                ("", "", "Prefers fax for medication changes", "Nurse line answers 8 am to 4:30 pm")
            ),
        )
    ]
    wanted: list[str] = []
    if p.has("hfref", "hfpef", "afib", "cad") and draw.chance(0.9):
        wanted.append("cardiology")
    if p.has("copd") and draw.chance(0.6):
        wanted.append("pulmonology")
    if p.has("ckd3b", "ckd4") and draw.chance(0.7):
        wanted.append("nephrology")
    if p.has("diabetes") and draw.chance(0.25):
        wanted.append("endocrinology")
    if p.has("parkinson"):
        wanted.append("neurology")
    if p.has("bipolar", "schizophrenia") or (p.has(*BEHAVIOURAL) and draw.chance(0.45)):
        wanted.append("psychiatry")
    if p.has("oud") or (p.has("aud") and draw.chance(0.5)):
        wanted.append("addiction")
    for key in wanted:
        role, office, names = SPECIALISTS[key]
        name = draw.pick(names)
        p.team[key] = name
        members.append(_team_row(role, name, office, _specialist_note(draw, key)))
    if not p.younger and draw.chance(
        0.25 + 0.2 * p.has("hfref", "hfpef") + 0.3 * p.recent_discharge
    ):
        office, nurses = draw.pick(HOME_HEALTH)
        visits = draw.pick(
            (
                "RN visits twice a week; PT once a week",
                "RN visits weekly",
                "RN and aide visits; recertification due next month",
            )
        )
        members.append(_team_row("home_health", draw.pick(nurses), office, visits))
    if draw.chance(0.7):
        pharmacy = draw.pick(PHARMACIES)
        extra = draw.pick(
            (
                "",
                "",
                "Delivers to the home",
                "Weekly blister packs",
                "Delivers; weekly blister packs",
            )
        )
        members.append(_team_row("pharmacist", pharmacy.name, pharmacy, extra, organization=""))
    if not p.younger and p.has("dementia", "falls") and draw.chance(0.3):
        members.append(
            _team_row(
                "community", "Meals on Wheels", ELDER_SERVICES, "Hot lunch delivered on weekdays"
            )
        )
    return members


def _specialist_note(draw: Draw, key: str) -> str:
    if key == "addiction":
        return draw.pick(
            (
                "Office-based addiction treatment; group on Tuesdays",
                "Weekly visits for the first month, then monthly",
            )
        )
    if key == "psychiatry":
        return draw.pick(("Counseling every other week", "Medication visits monthly"))
    return draw.pick(("", "Sees every 3 months", "Sees every 6 months"))


def _team_row(
    role: str, name: str, office: Office, notes: str, *, organization: str | None = None
) -> Row:
    return {
        "name": name,
        "role": role,
        "organization": office.name if organization is None else organization,
        "phone": office.phone,
        "fax": office.fax,
        "notes": notes,
    }


# -- medications ------------------------------------------------------------------------


class MedList:
    """The medicines one patient takes, chosen so they fit the problems and allergies."""

    def __init__(self, draw: Draw, p: Person) -> None:
        self.draw = draw
        self.p = p
        self.meds: list[Med] = []
        self.classes: set[str] = set()

    def add(self, med: Med, *classes: str) -> bool:
        if self.p.ruled_out.intersection(classes) or self.classes.intersection(classes):
            return False
        med.classes = classes
        self.meds.append(med)
        self.classes.update(classes)
        return True

    def on(self, *classes: str) -> bool:
        return bool(self.classes.intersection(classes))


def _heart_failure_meds(m: MedList) -> None:
    d, p = m.draw, m.p
    stage4 = p.has("ckd4")
    if p.has("hfref"):
        m.add(
            Med(
                "Furosemide",
                d.pick(("20 mg", "40 mg", "80 mg")),
                "oral",
                "Once daily in the morning",
                "Water pill",
                "cardiology",
            ),
            "loop",
        )
        m.add(
            Med(
                "Carvedilol",
                d.pick(("6.25 mg", "12.5 mg", "25 mg")),
                "oral",
                "Twice daily with food",
                "For the heart and blood pressure",
                "cardiology",
            ),
            "hf_beta_blocker",
            "beta_blocker",
        )
        if not m.add(
            Med(
                "Sacubitril/valsartan",
                d.pick(("24 mg/26 mg", "49 mg/51 mg", "97 mg/103 mg")),
                "oral",
                "Twice daily",
                "For heart failure",
                "cardiology",
            ),
            "arni",
        ):
            m.add(
                Med(
                    "Hydralazine",
                    "25 mg",
                    "oral",
                    "Three times daily",
                    "For heart failure and blood pressure",
                    "cardiology",
                ),
                "hydralazine",
            )
    else:
        loop = d.pick((("Furosemide", "20 mg"), ("Furosemide", "40 mg"), ("Torsemide", "20 mg")))
        m.add(
            Med(loop[0], loop[1], "oral", "Once daily in the morning", "Water pill", "cardiology"),
            "loop",
        )
    if not stage4 and d.chance(0.5):
        m.add(
            Med(
                "Spironolactone",
                "25 mg",
                "oral",
                "Once daily",
                "For heart failure; also removes extra fluid",
                "cardiology",
            ),
            "mra",
        )
    if not stage4 and d.chance(0.45):
        purpose = "For heart failure and blood sugar" if p.has("diabetes") else "For heart failure"
        m.add(
            Med(
                "Empagliflozin", "10 mg", "oral", "Once daily in the morning", purpose, "cardiology"
            ),
            "sglt2",
        )


def _diabetes_meds(m: MedList) -> None:
    d, p = m.draw, m.p
    by = "endocrinology" if "endocrinology" in p.team else "pcp"
    metformin = False
    if not p.has("ckd4"):
        dose = "500 mg" if p.has("ckd3b") else d.pick(("500 mg", "1000 mg"))
        held = p.has("ckd3b") and d.chance(0.2)
        metformin = m.add(
            Med(
                "Metformin",
                dose,
                "oral",
                "Twice daily with meals",
                "For blood sugar (on hold until kidney blood test)" if held else "For blood sugar",
                by,
                "on_hold" if held else "active",
            ),
            "metformin",
        )
    if d.chance(0.35 + 0.25 * (not metformin)):
        m.add(
            Med(
                "Insulin glargine",
                f"{d.between(8, 44)} units",
                "subcutaneous",
                "Once daily at bedtime",
                "Long-acting insulin for blood sugar",
                by,
            ),
            "basal",
        )
        if d.chance(0.3):
            m.add(
                Med(
                    "Insulin lispro",
                    "Per sliding scale",
                    "subcutaneous",
                    "With meals, per sliding scale",
                    "Mealtime insulin for blood sugar",
                    by,
                ),
                "bolus",
            )
    elif d.chance(0.3):
        m.add(
            Med("Glipizide", "5 mg", "oral", "Once daily before breakfast", "For blood sugar", by),
            "sulfonylurea",
        )
    if d.chance(0.3):
        m.add(
            Med(
                "Semaglutide",
                d.pick(("0.5 mg", "1 mg")),
                "subcutaneous",
                "Once a week, same day each week",
                "For blood sugar and weight",
                by,
            ),
            "glp1",
        )
    elif not p.has("ckd4") and d.chance(0.25):
        m.add(
            Med(
                "Empagliflozin",
                "10 mg",
                "oral",
                "Once daily in the morning",
                "For blood sugar; also protects heart and kidneys",
                by,
            ),
            "sglt2",
        )


def _blood_pressure_meds(m: MedList) -> None:
    d, p = m.draw, m.p
    if p.has("hfref", "hfpef"):
        if d.chance(0.15):
            m.add(Med("Amlodipine", "5 mg", "oral", "Once daily", "For blood pressure"), "ccb")
        return
    kidney = p.has("ckd3a", "ckd3b", "ckd4")
    first = d.pick(("lisinopril", "lisinopril", "losartan", "amlodipine", "hctz"))
    if kidney:
        first = d.pick(("lisinopril", "losartan"))
    if first == "lisinopril" and not m.add(
        Med(
            "Lisinopril",
            d.pick(("10 mg", "20 mg", "40 mg")),
            "oral",
            "Once daily",
            "For blood pressure and to protect the kidneys" if kidney else "For blood pressure",
        ),
        "lisinopril",
        "raas",
    ):
        first = "losartan"
    if first == "losartan":
        m.add(
            Med(
                "Losartan",
                d.pick(("25 mg", "50 mg", "100 mg")),
                "oral",
                "Once daily",
                "For blood pressure",
            ),
            "raas",
        )
    if first == "amlodipine" or (first != "hctz" and d.chance(0.4)):
        m.add(
            Med(
                "Amlodipine", d.pick(("5 mg", "10 mg")), "oral", "Once daily", "For blood pressure"
            ),
            "ccb",
        )
    if first == "hctz" or (not kidney and d.chance(0.2)):
        m.add(
            Med(
                "Hydrochlorothiazide",
                "25 mg",
                "oral",
                "Once daily in the morning",
                "Water pill for blood pressure",
            ),
            "thiazide",
        )


def _heart_and_vessel_meds(m: MedList) -> None:
    d, p = m.draw, m.p
    if p.has("afib"):
        dose = "2.5 mg" if p.age >= 80 and p.has("ckd3b", "ckd4") else "5 mg"
        if d.chance(0.85):
            m.add(
                Med(
                    "Apixaban",
                    dose,
                    "oral",
                    "Twice daily",
                    "Blood thinner to prevent stroke",
                    "cardiology",
                ),
                "anticoagulant",
            )
        else:
            m.add(
                Med(
                    "Warfarin",
                    "Dose varies (per INR)",
                    "oral",
                    "Once daily in the evening",
                    "Blood thinner to prevent stroke; INR checks at the clinic",
                    "cardiology",
                ),
                "anticoagulant",
            )
        if not m.on("beta_blocker"):
            m.add(
                Med(
                    "Metoprolol succinate",
                    d.pick(("25 mg", "50 mg", "100 mg")),
                    "oral",
                    "Once daily",
                    "To slow the heart rate",
                    "cardiology",
                ),
                "beta_blocker",
            )
    statin_reason = p.has("hyperlipidemia", "cad", "stroke") or (p.has("diabetes") and p.age < 76)
    if statin_reason and not m.add(
        Med(
            "Atorvastatin",
            d.pick(("10 mg", "20 mg", "40 mg", "80 mg")),
            "oral",
            "Once daily at bedtime",
            "For cholesterol",
        ),
        "statin",
    ):
        m.add(Med("Ezetimibe", "10 mg", "oral", "Once daily", "For cholesterol"), "ezetimibe")
    if p.has("cad"):
        if not m.on("anticoagulant"):
            m.add(Med("Aspirin", "81 mg", "oral", "Once daily", "To protect the heart"), "aspirin")
        if not m.on("beta_blocker"):
            m.add(
                Med(
                    "Metoprolol succinate",
                    d.pick(("25 mg", "50 mg")),
                    "oral",
                    "Once daily",
                    "For the heart and blood pressure",
                    "cardiology",
                ),
                "beta_blocker",
            )
        if d.chance(0.4):
            m.add(
                Med(
                    "Nitroglycerin",
                    "0.4 mg",
                    "sublingual",
                    "1 tablet every 5 minutes as needed for chest pain, up to 3",
                    "For chest pain; call 911 if pain lasts",
                    "cardiology",
                ),
                "nitrate",
            )
    if p.has("stroke") and not m.on("anticoagulant", "aspirin"):
        m.add(
            Med(
                "Clopidogrel",
                "75 mg",
                "oral",
                "Once daily",
                "Blood thinner to prevent another stroke",
            ),
            "antiplatelet",
        )


def _lung_meds(m: MedList) -> bool:
    """COPD inhalers and oxygen; returns whether the patient uses home oxygen."""
    d = m.draw
    by = "pulmonology" if "pulmonology" in m.p.team else "pcp"
    if d.chance(0.3):
        m.add(
            Med(
                "Fluticasone/umeclidinium/vilanterol",
                "100/62.5/25 mcg",
                "inhaled",
                "1 inhalation once daily",
                "Maintenance inhaler to keep airways open",
                by,
            ),
            "maintenance_inhaler",
        )
    else:
        m.add(
            Med(
                "Tiotropium",
                "18 mcg",
                "inhaled",
                "Inhale 1 capsule once daily",
                "Maintenance inhaler to keep airways open",
                by,
            ),
            "maintenance_inhaler",
        )
    m.add(
        Med(
            "Albuterol inhaler",
            "90 mcg",
            "inhaled",
            "2 puffs every 4 to 6 hours as needed for shortness of breath",
            "Rescue inhaler",
            by,
        ),
        "rescue_inhaler",
    )
    if d.chance(0.15):
        m.add(
            Med(
                "Prednisone",
                "40 mg",
                "oral",
                "Once daily for 5 days",
                "For COPD flare",
                by,
                "completed",
                d.between(20, 300),
                None,
            ),
            "steroid_course",
        )
    oxygen = d.chance(0.25)
    if oxygen:
        m.add(
            Med(
                "Oxygen",
                d.pick(("2 L/min", "3 L/min")),
                "nasal",
                d.pick(("By nasal cannula, all the time", "At night and with activity")),
                "For low oxygen levels",
                by,
            ),
            "oxygen",
        )
    return oxygen


def _mind_meds(m: MedList) -> None:
    d, p = m.draw, m.p
    by = "psychiatry" if "psychiatry" in p.team else "pcp"
    if p.has("depression"):
        options = [
            ("Sertraline", d.pick(("50 mg", "100 mg")), "Once daily", "For mood"),
            ("Escitalopram", "10 mg", "Once daily", "For mood"),
        ]
        if not p.younger:
            options.append(
                ("Mirtazapine", "15 mg", "Once daily at bedtime", "For mood, sleep and appetite")
            )
        if p.has("osteoarthritis", "chronic_pain"):
            options.append(("Duloxetine", "60 mg", "Once daily", "For mood and nerve pain"))
        if p.younger and not p.has("aud"):
            options.append(
                ("Bupropion XL", "150 mg", "Once daily in the morning", "For mood and energy")
            )
        name, dose, freq, purpose = d.pick(options)
        m.add(Med(name, dose, "oral", freq, purpose, by), "antidepressant")
    if p.has("anxiety"):
        if not m.on("antidepressant"):
            m.add(
                Med("Sertraline", "50 mg", "oral", "Once daily", "For anxiety", by),
                "antidepressant",
            )
        if d.chance(0.4):
            m.add(Med("Buspirone", "10 mg", "oral", "Twice daily", "For anxiety", by), "buspirone")
    if p.has("bipolar"):
        name, dose, freq = d.pick(
            (
                ("Lamotrigine", "100 mg", "Once daily"),
                ("Quetiapine", "200 mg", "Once daily at bedtime"),
                ("Lithium carbonate", "300 mg", "Twice daily"),
            )
        )
        m.add(Med(name, dose, "oral", freq, "Mood stabilizer", by), "mood_stabilizer")
    if p.has("schizophrenia"):
        if d.chance(0.35):
            m.add(
                Med(
                    "Paliperidone palmitate",
                    "156 mg",
                    "intramuscular",
                    "Once a month at the clinic",
                    "Long-acting injection to keep thoughts clear",
                    by,
                ),
                "antipsychotic",
            )
        else:
            name, dose, freq = d.pick(
                (
                    ("Risperidone", "2 mg", "Twice daily"),
                    ("Olanzapine", "10 mg", "Once daily at bedtime"),
                    ("Aripiprazole", "15 mg", "Once daily"),
                )
            )
            m.add(
                Med(name, dose, "oral", freq, "To keep thoughts clear and calm", by),
                "antipsychotic",
            )
    if p.has("dementia"):
        m.add(
            Med(
                "Donepezil",
                d.pick(("5 mg", "10 mg")),
                "oral",
                "Once daily at bedtime",
                "For memory",
            ),
            "cholinesterase",
        )
        if d.chance(0.35):
            m.add(Med("Memantine", "10 mg", "oral", "Twice daily", "For memory"), "memantine")


def _substance_use_meds(m: MedList) -> None:
    d, p = m.draw, m.p
    by = "addiction" if "addiction" in p.team else "pcp"
    if p.has("oud"):
        kind = d.weighted([("film", 0.65), ("methadone", 0.2), ("injection", 0.15)])
        if kind == "film":
            m.add(
                Med(
                    "Buprenorphine/naloxone",
                    d.pick(("8 mg/2 mg", "16 mg/4 mg")),
                    "sublingual",
                    "Once daily (film under the tongue)",
                    "For opioid use disorder (recovery medicine)",
                    by,
                ),
                "opioid_agonist",
            )
        elif kind == "methadone":
            m.add(
                Med(
                    "Methadone",
                    "Dose set by the clinic",
                    "oral",
                    "Once daily at the clinic",
                    "For opioid use disorder (recovery medicine)",
                    by,
                ),
                "opioid_agonist",
            )
        else:
            m.add(
                Med(
                    "Buprenorphine extended-release injection",
                    "300 mg",
                    "subcutaneous",
                    "Once a month at the clinic",
                    "For opioid use disorder (recovery medicine)",
                    by,
                ),
                "opioid_agonist",
            )
        m.add(
            Med(
                "Naloxone nasal spray",
                "4 mg",
                "nasal",
                "As needed for suspected overdose",
                "Emergency overdose reversal (kit at home)",
                by,
            ),
            "naloxone",
        )
    if p.has("aud"):
        if not m.on("opioid_agonist") and d.chance(0.5):
            m.add(
                Med("Naltrexone", "50 mg", "oral", "Once daily", "To reduce alcohol cravings", by),
                "naltrexone",
            )
        elif d.chance(0.4):
            m.add(
                Med(
                    "Acamprosate",
                    "666 mg",
                    "oral",
                    "Three times daily",
                    "To reduce alcohol cravings",
                    by,
                ),
                "acamprosate",
            )
        if d.chance(0.5):
            m.add(Med("Thiamine", "100 mg", "oral", "Once daily", "Vitamin B1"), "thiamine")


def _other_meds(m: MedList) -> None:
    d, p = m.draw, m.p
    if p.has("hypothyroidism"):
        m.add(
            Med(
                "Levothyroxine",
                d.pick(("50 mcg", "75 mcg", "88 mcg", "100 mcg")),
                "oral",
                "Once daily on an empty stomach, 30 minutes before breakfast",
                "For thyroid",
            ),
            "thyroid",
        )
    if p.has("bph"):
        m.add(
            Med("Tamsulosin", "0.4 mg", "oral", "Once daily at bedtime", "To help urine flow"),
            "alpha_blocker",
        )
    if p.has("parkinson"):
        by = "neurology" if "neurology" in p.team else "pcp"
        m.add(
            Med(
                "Carbidopa/levodopa",
                "25 mg/100 mg",
                "oral",
                "Three times daily",
                "For Parkinson's symptoms (tremor, stiffness)",
                by,
            ),
            "levodopa",
        )
    if p.has("osteoarthritis", "chronic_pain"):
        m.add(
            Med(
                "Acetaminophen",
                "500 mg",
                "oral",
                "2 tablets up to 3 times daily as needed",
                "For joint pain" if p.has("osteoarthritis") else "For back pain",
            ),
            "acetaminophen",
        )
        if d.chance(0.4):
            m.add(
                Med(
                    "Diclofenac 1% gel",
                    "4 g",
                    "topical",
                    "Rub on sore joints 4 times daily as needed",
                    "For knee and hand pain",
                ),
                "topical_nsaid",
            )
    if p.has("chronic_pain") and d.chance(0.4):
        m.add(
            Med("Gabapentin", "300 mg", "oral", "Three times daily", "For nerve pain"), "gabapentin"
        )
    if p.has("gerd"):
        name, dose, freq = d.pick(
            (
                ("Omeprazole", "20 mg", "Once daily before breakfast"),
                ("Famotidine", "20 mg", "Twice daily"),
            )
        )
        m.add(Med(name, dose, "oral", freq, "For heartburn"), "acid")
    if p.has("tobacco") and d.chance(0.35):
        m.add(
            Med(
                "Nicotine patch",
                "21 mg/24 hours",
                "transdermal",
                "1 patch each morning",
                "To help quit smoking",
            ),
            "nicotine",
        )
    if "hepc" in p.resolved:
        m.add(
            Med(
                "Sofosbuvir/velpatasvir",
                "400 mg/100 mg",
                "oral",
                "Once daily for 12 weeks",
                "Hepatitis C cure",
                "pcp",
                "completed",
                d.between(200, 900),
                None,
            ),
            "hcv",
        )
    if p.has("ckd3b", "ckd4"):
        by = "nephrology" if "nephrology" in p.team else "pcp"
        if d.chance(0.3):
            m.add(
                Med(
                    "Sodium bicarbonate",
                    "650 mg",
                    "oral",
                    "Twice daily",
                    "To balance acid in the blood (kidneys)",
                    by,
                ),
                "bicarbonate",
            )
        if d.chance(0.25):
            m.add(
                Med(
                    "Ibuprofen",
                    "400 mg",
                    "oral",
                    "As needed for pain",
                    "For pain (stopped: hard on the kidneys)",
                    "pcp",
                    "stopped",
                    d.between(60, 900),
                    None,
                ),
                "nsaid",
            )
    if not p.younger:
        if d.chance(0.25):
            m.add(
                Med("Vitamin D3", "1,000 units", "oral", "Once daily", "Vitamin D for bones"),
                "vitd",
            )
        if d.chance(0.1):
            m.add(
                Med("Senna", "8.6 mg", "oral", "At bedtime as needed", "For constipation"), "senna"
            )


def _choose_meds(draw: Draw, p: Person) -> bool:
    """Pick the medicine list; returns whether the patient uses home oxygen."""
    m = MedList(draw, p)
    if p.has("hfref", "hfpef"):
        _heart_failure_meds(m)
    if p.has("diabetes"):
        _diabetes_meds(m)
    if p.has("hypertension"):
        _blood_pressure_meds(m)
    _heart_and_vessel_meds(m)
    oxygen = _lung_meds(m) if p.has("copd") else False
    _mind_meds(m)
    _substance_use_meds(m)
    _other_meds(m)
    for med in m.meds:
        _date_med(draw, p, med)
    p.meds = m.meds
    return oxygen


def _date_med(draw: Draw, p: Person, med: Med) -> None:
    """Start and stop dates (as days ago) that respect when the treated problem began."""
    adult_days = max(p.age_days - 18 * 365, 60)
    treats = TREATS.get(med.classes[0], ()) if med.classes else ()
    known = [p.onset_days[k] for k in treats if k in p.onset_days]
    diagnosed = max(known) if known else None  # the earliest recorded onset, in days ago
    if med.status == "stopped":
        assert med.started_days_ago is not None
        stopped = (
            med.started_days_ago if diagnosed is None else min(med.started_days_ago, diagnosed)
        )
        med.stopped_days_ago = max(stopped, 1)
        med.started_days_ago = med.stopped_days_ago + draw.between(30, 400)
        return
    if med.status == "completed":
        assert med.started_days_ago is not None
        course = 5 if "steroid_course" in med.classes else 84
        started = med.started_days_ago
        if diagnosed is not None:
            started = min(started, diagnosed)
        med.started_days_ago = max(started, course + 1)
        med.stopped_days_ago = med.started_days_ago - course
        return
    if draw.chance(0.65):
        started = draw.between(14, min(3000, adult_days))
        med.started_days_ago = started if diagnosed is None else min(started, diagnosed)


# -- family and caregivers ------------------------------------------------------------


def _relative_name(draw: Draw, p: Person, female: bool, young: bool, same_family: bool) -> str:
    """A relative: the patient's surname, or another surname from the same community."""
    culture = p.culture
    if young and draw.chance(culture.english_names_for_children):
        given = _given_name(draw, AMERICAN, female, True)
    else:
        given = _given_name(draw, culture, female, young)
    if same_family:
        base = p.family_name.split(" ")[0] if culture is HISPANIC else p.family_name
        if culture.gendered_family and p.female:
            base = base.removesuffix("a")
        family = _family_name_for(culture, base, female)
    else:
        family = _family_name_for(culture, draw.pick(culture.family), female)
    return f"{given} {family}"


def _married_name(draw: Draw, p: Person) -> str:
    """A daughter who took her spouse's surname, often from outside the community."""
    culture = p.culture if draw.chance(0.7) else AMERICAN
    given = _relative_name(draw, p, True, True, True).split(" ")[0]
    return f"{given} {_family_name_for(culture, draw.pick(culture.family), True)}"


def _outside_name(draw: Draw, female: bool) -> str:
    """A friend, neighbour or paid caregiver: from any community."""
    culture = draw.weighted([(c, c.weight) for c in CULTURES])
    given = _given_name(draw, culture, female, True)
    return f"{given} {_family_name_for(culture, draw.pick(culture.family), female)}"


def _relative(draw: Draw, p: Person, relationship: str) -> Row:
    if relationship == "spouse":
        female = not p.female if p.sex != "other" else draw.chance(0.5)
        same = p.culture.spouse_shares_name and (female or p.sex == "female")
        name = _relative_name(draw, p, female, p.younger, same)
    elif relationship == "daughter":
        married = draw.chance(0.5)
        name = _married_name(draw, p) if married else _relative_name(draw, p, True, True, True)
    elif relationship == "son":
        name = _relative_name(draw, p, False, True, True)
    elif relationship == "parent":
        name = _relative_name(draw, p, draw.chance(0.7), False, True)
    elif relationship == "sibling":
        name = _relative_name(draw, p, draw.chance(0.5), p.younger, draw.chance(0.8))
    elif relationship == "paid_caregiver":
        name = _outside_name(draw, draw.chance(0.85))
    else:
        name = _outside_name(draw, draw.chance(0.6))
    return {
        "name": name,
        "relationship": relationship,
        "phone": draw.phone(),
        "alt_phone": draw.phone() if draw.chance(0.2) else "",
        "emergency_contact": False,
        "primary_caregiver": False,
        "may_receive_health_info": False,
        "notes": "",
    }


RELATIVE_NOTES: dict[str, tuple[str, ...]] = {
    "spouse": (
        "Lives with patient",
        "Lives with patient; has own health problems",
        "Lives with patient; does not drive",
    ),
    "daughter": (
        "Lives nearby; visits on weekends",
        "Lives out of state; calls every Sunday",
        "Health care proxy on file",
        "Works days; best reached after 5 pm",
        "Lives with patient",
    ),
    "son": (
        "Lives nearby; helps with shopping",
        "Lives out of state; calls every Sunday",
        "Health care proxy on file",
        "Works nights; text first",
    ),
    "parent": ("Lives with patient", "Helps with rides to appointments"),
    "sibling": ("Lives in the same building", "Calls most days"),
    "friend": ("Neighbor next door; has a spare key", "Friend from church; checks in daily"),
}


def _choose_family(draw: Draw, p: Person) -> None:
    relationships: list[str] = []
    if p.younger:
        for rel, share in (("spouse", 0.2), ("parent", 0.45), ("sibling", 0.3), ("friend", 0.2)):
            if draw.chance(share):
                relationships.append(rel)
    else:
        if p.age < 92 and draw.chance(0.5 if p.sex == "male" else 0.3):
            relationships.append("spouse")
        children = draw.weighted([(0, 0.25), (1, 0.35), (2, 0.3), (3, 0.1)])
        for _ in range(children):
            relationships.append("daughter" if draw.chance(0.6) else "son")
        if draw.chance(0.08):
            relationships.append("friend")
        if draw.chance(0.55 if p.has("dementia") else 0.08 + 0.3 * ("ltss" in p.programs)):
            relationships.append("paid_caregiver")
        if p.has("dementia") and not relationships:
            relationships.append("daughter")
    relationships = relationships[:4]
    rows = [_relative(draw, p, rel) for rel in relationships]
    _set_family_roles(draw, p, rows)
    p.family = rows


def _set_family_roles(draw: Draw, p: Person, rows: list[Row]) -> None:
    family = [r for r in rows if r["relationship"] != "paid_caregiver"]
    for row in family[: draw.between(1, 2)]:
        row["emergency_contact"] = True
    caregivers = [r for r in rows if r["relationship"] in ("spouse", "daughter", "son", "parent")]
    caregivers += [r for r in rows if r["relationship"] == "paid_caregiver"]
    if caregivers and (p.has("dementia") or draw.chance(0.6)):
        caregivers[0]["primary_caregiver"] = True
    shares = {
        "spouse": 0.85,
        "daughter": 0.85,
        "son": 0.8,
        "parent": 0.7,
        "sibling": 0.5,
        "friend": 0.25,
        "paid_caregiver": 0.5,
    }
    for row in rows:
        rel = row["relationship"]
        row["may_receive_health_info"] = (
            draw.chance(shares.get(rel, 0.3)) or row["primary_caregiver"]
        )
        if rel == "paid_caregiver":
            row["notes"] = (
                f"Home care aide from {draw.pick(HOME_CARE_AGENCIES)}, {draw.pick(AIDE_HOURS)}"
            )
        elif p.non_english and rel in ("daughter", "son") and draw.chance(0.5):
            row["notes"] = (
                "Speaks English; helps with appointments "
                "(use a professional interpreter for health information)"
            )
        elif draw.chance(0.6):
            row["notes"] = draw.pick(RELATIVE_NOTES.get(rel, ("",)))


# -- case notes ---------------------------------------------------------------------------

GOALS: tuple[str, ...] = (
    "walk to the mailbox and back every day",
    "take the evening medicines with dinner every day",
    "go to the senior center lunch twice a week",
    "keep every appointment this month",
    "check blood pressure each morning and write it down",
    "drink water instead of soda with meals",
)
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

# (when it applies, kind, subject, text)
NOTE_TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    (
        "any",
        "visit",
        "Home visit",
        "Home visit. Checked every medicine against the bottles in the home; no changes. "
        "Patient reports sleeping well and eating two meals a day. Next visit in {weeks} weeks.",
    ),
    (
        "any",
        "call",
        "Monthly check-in",
        "Monthly check-in call. No emergency room visits or hospital stays since last contact. "
        "Reminded about the upcoming appointment with {pcp}.",
    ),
    (
        "any",
        "coordination",
        "Medication reconciliation",
        "Faxed the updated medication list to {pcp}'s office after the pharmacy reported a refill "
        "request for a discontinued medicine. Office will confirm; pharmacy asked to inactivate "
        "the old prescription.",
    ),
    (
        "any",
        "coordination",
        "Transportation",
        "Arranged a ride through the health plan for the {day} appointment with {pcp}. "
        "Gave the confirmation number to the patient by phone.",
    ),
    (
        "any",
        "general",
        "Care plan review",
        "Reviewed care plan goals with the patient. Goal for the next month: {goal}. "
        "Patient agrees and will track it on the calendar on the refrigerator.",
    ),
    (
        "any",
        "call",
        "Missed appointment",
        "Patient missed the {day} appointment with {pcp}; says they forgot. Rescheduled for next "
        "week and set up reminder calls.",
    ),
    (
        "older",
        "visit",
        "Home safety check",
        "Home safety check. Loose rug in the hallway removed with the patient's permission; night "
        "lights in place. Grab bars needed in the bathroom; referral sent to elder services.",
    ),
    (
        "hf",
        "visit",
        "Weight and symptom check",
        "Home visit. Weight {weight} lb, up {gain} lb since last week; mild ankle swelling, no "
        "shortness of breath at rest. Took the water pill this morning. Reviewed low-salt choices "
        "and daily weights. Will call {day} to recheck; told to call {heart} if up 2 lb overnight "
        "or 5 lb in a week.",
    ),
    (
        "hf",
        "call",
        "Daily weights",
        "Patient read weights from the log by phone: steady at {weight} lb for 5 days. No new "
        "swelling. Praised for keeping the log.",
    ),
    (
        "diabetes",
        "visit",
        "Blood sugar review",
        "Reviewed meter readings: fasting {sugar_low} to {sugar_high} this week. Watched the "
        "patient check a sugar; technique good. Discussed a bedtime snack to avoid lows. Will "
        "share the log with {pcp}.",
    ),
    (
        "diabetes",
        "coordination",
        "Diabetic eye exam",
        "Patient has not had a diabetic eye exam in over a year. Booked the clinic's eye camera "
        "appointment for {day}.",
    ),
    (
        "copd",
        "call",
        "Breathing check",
        "Patient using the rescue inhaler 3 to 4 times a day this week, more than usual. No fever. "
        "Reviewed inhaler technique with a spacer. Told to call {pcp} if no better in 48 hours and "
        "to call 911 for severe shortness of breath.",
    ),
    (
        "copd",
        "visit",
        "Home visit",
        "Home visit. Oxygen saturation {spo2}% at rest. Practiced pursed-lip breathing together. "
        "Flu and pneumonia vaccines up to date per clinic record.",
    ),
    (
        "kidney",
        "coordination",
        "Lab reminder",
        "Reminder call for kidney blood work before the visit with {kidney}. Asked the patient to "
        "avoid ibuprofen and naproxen and to use acetaminophen for pain instead.",
    ),
    (
        "depression",
        "visit",
        "Mood check-in",
        "PHQ-9 today {phq}. Patient says mood is {mood}. Continues {antidepressant}. No thoughts "
        "of self-harm. Will repeat PHQ-9 next month.",
    ),
    (
        "anxiety",
        "call",
        "Anxiety follow-up",
        "Patient worried about an upcoming appointment. Practiced the breathing exercise from "
        "counseling together. Will call the morning of the visit as a reminder.",
    ),
    (
        "dementia",
        "call",
        "Caregiver call",
        "Spoke with {caregiver}. Patient went outside at night twice this month. Discussed door "
        "alarms and a medical ID bracelet; referral to an adult day program sent.",
    ),
    (
        "dementia",
        "visit",
        "Home visit",
        "Home visit with {caregiver} present. Patient pleasant, oriented to self only. "
        "{caregiver_first} fills the pill organizer weekly; no missed doses seen.",
    ),
    (
        "oud",
        "call",
        "Recovery support",
        "Patient went to group at Harbor Recovery Clinic twice this week and is taking {moud} as "
        "prescribed. Confirmed the naloxone kit is at home and someone there knows where it is.",
    ),
    (
        "aud",
        "visit",
        "Recovery check-in",
        "Patient reports {sober_days} days without alcohol and goes to meetings three times a "
        "week. Discussed plans for the coming holiday weekend.",
    ),
    (
        "housing",
        "coordination",
        "Housing application",
        "Completed a housing application with the patient; copy of ID and income letter attached. "
        "Will follow up with the housing authority in two weeks.",
    ),
    (
        "smi",
        "call",
        "Medication check",
        "Patient took medicines as prescribed this week from the blister pack. Sleeping about 7 "
        "hours a night. Appointment with {psych} on {day}.",
    ),
    (
        "interpreter",
        "visit",
        "Home visit with interpreter",
        "Home visit with a {language} phone interpreter. Reviewed the medicine schedule using the "
        "picture chart; patient explained it back correctly.",
    ),
)

STATUS_NOTES: dict[str, tuple[str, ...]] = {
    "on_hold": (
        "Placed on hold: admitted to a skilled nursing facility for short-term rehab. "
        "Will resume when home.",
        "Placed on hold: staying with family out of state until next month.",
        "Placed on hold: in the hospital. Will call the unit for discharge plans.",
    ),
    "discharged": (
        "Discharged from care management: goals met; patient managing medicines and "
        "appointments independently.",
        "Discharged from care management: moved to live with family out of the area. "
        "Records sent to the new primary care office.",
        "Discharged from care management: patient declined further services. Told how to "
        "re-enroll at any time.",
        "Discharged from care management: moved to a long-term care facility.",
    ),
}


def _note_situations(p: Person) -> set[str]:
    found = {"any"}
    keys = {
        "hf": p.has("hfref", "hfpef"),
        "diabetes": p.has("diabetes"),
        "copd": p.has("copd"),
        "kidney": p.has("ckd3a", "ckd3b", "ckd4"),
        "depression": p.has("depression"),
        "anxiety": p.has("anxiety"),
        "dementia": p.has("dementia") and bool(p.family),
        "oud": p.has("oud"),
        "aud": p.has("aud") and "aud" in p.remission,
        "housing": p.homeless,
        "smi": p.has("bipolar", "schizophrenia"),
        "interpreter": p.non_english,
        "older": not p.younger,
    }
    found.update(k for k, yes in keys.items() if yes)
    return found


def short_name(clinician: str) -> str:
    """How a note refers to a clinician: "Priya Raman, MD" -> "Dr. Raman"; others by name."""
    name, _, credential = clinician.partition(", ")
    if credential in ("MD", "DO"):
        return "Dr. " + name.split(" ")[-1]
    return name


def _note_values(draw: Draw, p: Person) -> dict[str, Any]:
    carer = next((r for r in p.family if r["primary_caregiver"]), p.family[0] if p.family else None)
    carer_text = f"{carer['relationship'].replace('_', ' ')} {carer['name']}" if carer else ""
    if carer and carer["relationship"] == "friend":
        carer_text = f"neighbor {carer['name']}"
    antidepressant = next((m.name.lower() for m in p.meds if m.purpose.startswith("For mood")), "")
    moud = next((m.name.lower() for m in p.meds if "opioid use disorder" in m.purpose), "")
    depressed = "depression" in p.remission
    return {
        "weeks": draw.between(2, 4),
        "pcp": short_name(p.team["pcp"]),
        "day": draw.pick(WEEKDAYS),
        "goal": draw.pick(GOALS),
        "weight": draw.between(120, 260),
        "gain": draw.between(2, 5),
        "heart": short_name(p.team["cardiology"]) if "cardiology" in p.team else "the heart doctor",
        "sugar_low": draw.between(95, 140),
        "sugar_high": draw.between(150, 240),
        "spo2": draw.between(88, 96),
        "kidney": short_name(p.team.get("nephrology", p.team["pcp"])),
        "phq": draw.between(2, 4) if depressed else draw.between(8, 17),
        "mood": draw.pick(("better", "about the same", "low most days", "up and down")),
        "antidepressant": antidepressant or "counseling",
        "caregiver": carer_text,
        "caregiver_first": carer["name"].split(" ")[0] if carer else "",
        "moud": moud or "recovery medicine",
        "sober_days": draw.between(21, 400),
        "psych": short_name(p.team.get("psychiatry", p.team["pcp"])),
        "language": p.language,
    }


def _case_notes(draw: Draw, p: Person, as_of: date, enrolled_days: int) -> list[Row]:
    count = draw.weighted([(0, 0.1), (1, 0.25), (2, 0.3), (3, 0.2), (4, 0.15)])
    if p.status != "active" or p.recent_discharge:
        count = max(count, 1)
    situations = _note_situations(p)
    pool = [t for t in NOTE_TEMPLATES if t[0] in situations]
    chosen = _pick_notes(draw, pool, count)
    values = _note_values(draw, p)
    texts = [(kind, subject, text.format(**values)) for _when, kind, subject, text in chosen]
    if p.recent_discharge and texts:
        texts[-1] = ("call", TCM_CALL, _discharge_text(draw, p, values["pcp"]))
    if p.status != "active" and texts:
        status_text = draw.pick(STATUS_NOTES[p.status])
        texts[-1] = ("coordination", "Change in status", status_text)
    span = max(min(enrolled_days - 1, 180), len(texts) + 1)
    days_ago = sorted(draw.sample(range(1, span + 1), len(texts)), reverse=True)
    if p.recent_discharge and days_ago:
        days_ago[-1] = min(days_ago[-1], draw.between(1, 10))
    rows = []
    for (kind, subject, text), ago in zip(texts, days_ago, strict=True):
        written = _moment(as_of - timedelta(days=ago), draw)
        rows.append({"written_at": written, "kind": kind, "subject": subject, "text": text})
    return rows


def _pick_notes(
    draw: Draw, pool: list[tuple[str, str, str, str]], count: int
) -> list[tuple[str, str, str, str]]:
    """Distinct templates; those about the patient's own problems come up three times as often."""
    left = list(pool)
    chosen = []
    for _ in range(min(count, len(left))):
        weights = [1.0 if t[0] in ("any", "older") else 3.0 for t in left]
        pick = draw.rng.choices(range(len(left)), weights)[0]
        chosen.append(left.pop(pick))
    return chosen


TCM_CALL = "Transitional care call"


def _discharge_text(draw: Draw, p: Person, pcp: str) -> str:
    reason = (
        "a heart failure flare"
        if p.has("hfref", "hfpef")
        else "a COPD flare"
        if p.has("copd")
        else draw.pick(("pneumonia", "a fall at home", "a urinary tract infection"))
    )
    return (
        f"Discharged from {draw.pick(HOSPITALS)} after {reason}. Reached the patient within 2 "
        "business days. Went over the discharge medicine list line by line; follow-up with "
        f"{pcp} booked within 7 days."
    )


def _moment(day: date, draw: Draw) -> datetime:
    """A time during US Eastern office hours on that day, in UTC."""
    return datetime.combine(day, time(draw.between(13, 21), draw.between(0, 59)), tzinfo=UTC)


# == assembling rows ============================================================


@dataclass
class Batch:
    """Rows for one step of generation, by table."""

    patients: list[Row] = field(default_factory=list)
    tables: dict[type[Record], list[Row]] = field(default_factory=dict)

    def add(self, kind: type[Record], row: Row) -> None:
        self.tables.setdefault(kind, []).append(row)


def _patient_values(draw: Draw, p: Person, as_of: date, enrolled_days: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "family_name": p.family_name,
        "given_name": p.given_name,
        "preferred_name": _preferred_name(draw, p),
        "birth_date": as_of - timedelta(days=p.age_days),
        "administrative_sex": p.sex,
        "gender_identity": "Non-binary" if p.sex == "other" else "",
        "preferred_language": p.language,
        "interpreter_needed": p.language == "American Sign Language"
        or (p.non_english and draw.chance(0.85)),
        "programs": p.programs,
        "risk_tier": p.risk_tier,
        "status": p.status,
        "primary_care_provider": p.team["pcp"],
    }
    if draw.chance(0.92):
        values["consent_date"] = as_of - timedelta(days=max(enrolled_days - draw.between(0, 10), 1))
        values["consent_method"] = draw.weighted(
            [("verbal", 0.6), ("written", 0.33), ("electronic", 0.07)]
        )
    return values


def _preferred_name(draw: Draw, p: Person) -> str:
    nickname = p.culture.nicknames.get(p.given_name, "")
    if nickname and draw.chance(0.35):
        return nickname
    return ""


def _stamp(row: Row, draw: Draw, at: datetime) -> Row:
    row.update(id=draw.uuid(), created_at=at, updated_at=at, version=1, deleted_at=None)
    return row


def _build_patient(
    draw: Draw,
    as_of: date,
    batch: Batch,
    histories: DemoAssessments | None,
    plans: DemoPlans | None = None,
    followup: DemoFollowUp | None = None,
    coordination: DemoCoordination | None = None,
) -> None:
    p = _new_person(draw)
    _choose_problems(draw, p)
    contact = _address(draw, p)
    payer, member_id = _payer(draw, p)
    p.recent_discharge = not p.younger and draw.chance(0.07)
    p.risk_tier = _risk_tier(draw, p)
    p.programs = _programs(draw, p)
    hospice = "hospice" in p.programs
    p.status = (
        "active"
        if hospice or p.recent_discharge
        else draw.weighted([("active", 0.86), ("on_hold", 0.07), ("discharged", 0.07)])
    )
    if hospice:
        p.risk_tier = "very_high"
    allergies = _allergies(draw, p)
    team = _care_team(draw, p)
    oxygen = _choose_meds(draw, p)
    if oxygen:
        supplier = OXYGEN_SUPPLIER
        team.append(_team_row("dme", supplier.name, supplier, OXYGEN_DELIVERY, organization=""))
    _choose_family(draw, p)
    contact.update(_phones(draw, p))
    contact["visit_notes"] = _visit_notes(draw, p, oxygen)
    enrolled_days = draw.between(20, 1400)
    values = _patient_values(draw, p, as_of, enrolled_days)
    values.update(contact, payer=payer, member_id=member_id)
    notes = _case_notes(draw, p, as_of, enrolled_days)

    patient = new_patient(values)
    enrolled = _moment(as_of - timedelta(days=enrolled_days), draw)
    patient.id = draw.uuid()
    patient.created_at = enrolled
    patient.updated_at = enrolled + timedelta(days=draw.between(0, enrolled_days - 1))
    batch.patients.append(patient.model_dump())

    clock = _Clock(enrolled)
    marks = {kind: len(rows) for kind, rows in batch.tables.items()}
    for row in p.family:
        batch.add(RelatedPerson, _stamp({**row, "patient_id": patient.id}, draw, clock.next()))
    for row in team:
        batch.add(CareTeamMember, _stamp({**row, "patient_id": patient.id}, draw, clock.next()))
    for row in _condition_rows(draw, p, as_of):
        batch.add(Condition, _stamp({**row, "patient_id": patient.id}, draw, clock.next()))
    for row in _medication_rows(p, as_of):
        batch.add(
            MedicationStatement, _stamp({**row, "patient_id": patient.id}, draw, clock.next())
        )
    for row in allergies:
        batch.add(AllergyIntolerance, _stamp({**row, "patient_id": patient.id}, draw, clock.next()))
    for row in notes:
        at = row["written_at"] + timedelta(minutes=draw.between(1, 90))
        batch.add(CaseNote, _stamp({**row, "patient_id": patient.id}, draw, at))
    profile = _profile(p, patient.id, enrolled, notes)
    if histories is not None:
        histories.add_history(profile, as_of, batch.add)
    if plans is not None:
        mine = {kind: rows[marks.get(kind, 0) :] for kind, rows in batch.tables.items()}
        plans.add_plan(batch.patients[-1], profile, mine, as_of, batch.add)
    if followup is not None:
        followup.add_follow_up(profile, as_of, batch.add)
    if coordination is not None:
        needs = batch.tables.get(PlanNeed, [])[marks.get(PlanNeed, 0) :]
        coordination.add_referrals(profile, as_of, batch.add, needs)


def _profile(p: Person, patient_id: uuid.UUID, enrolled: datetime, notes: list[Row]) -> Profile:
    """What the assessment history needs to know about the patient."""
    call = next((n for n in notes if n["subject"] == TCM_CALL), None)
    return Profile(
        patient_id=patient_id,
        enrolled=enrolled,
        age=p.age,
        younger=p.younger,
        problems=frozenset(p.problems),
        remission=frozenset(p.remission),
        programs=tuple(p.programs),
        status=p.status,
        payer_kind=p.payer_kind,
        homeless=p.homeless,
        spouse=any(r["relationship"] == "spouse" for r in p.family),
        caregiver=any(
            r["primary_caregiver"] or r["relationship"] == "paid_caregiver" for r in p.family
        ),
        recent_discharge=p.recent_discharge,
        tcm_call=call["written_at"].date() if call is not None else None,
        non_english=p.non_english,
    )


class _Clock:
    """Intake entries a few seconds apart, so the chart keeps the order they were typed in."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def next(self) -> datetime:
        self.now += timedelta(seconds=20)
        return self.now


def _allergies(draw: Draw, p: Person) -> list[Row]:
    rows: list[Row] = []
    for substance, reaction, severity, share, rules_out in ALLERGIES:
        if draw.chance(share):
            rows.append({"substance": substance, "reaction": reaction, "severity": severity})
            p.ruled_out.update(rules_out)
    return rows


def _condition_rows(draw: Draw, p: Person, as_of: date) -> list[Row]:
    rows: list[Row] = []
    for key in p.problems:
        if key == "hypertension":
            text, code = hypertension_problem(p.problems)
        elif key == "diabetes" and p.has(*KIDNEY):
            text, code = "Type 2 diabetes with diabetic chronic kidney disease", "E11.22"
        else:
            text, code = draw.pick(PROBLEMS[key])
        status = "active"
        if key in p.remission:
            text, code = REMISSION[key]
            status = "remission"
        elif key in p.resolved:
            text, status = "Hepatitis C, cured after treatment", "resolved"
        days = p.onset_days.get(key)
        onset = None if days is None else as_of - timedelta(days=days)
        rows.append(
            {"text": text, "icd10_code": code, "onset_date": onset, "clinical_status": status}
        )
    return rows


def _medication_rows(p: Person, as_of: date) -> list[Row]:
    rows: list[Row] = []
    for med in p.meds:
        start = (
            None if med.started_days_ago is None else as_of - timedelta(days=med.started_days_ago)
        )
        stop = (
            None if med.stopped_days_ago is None else as_of - timedelta(days=med.stopped_days_ago)
        )
        prescriber = p.team.get(med.by, p.team["pcp"])
        rows.append(
            {
                "name": med.name,
                "dose": med.dose,
                "route": med.route,
                "frequency": med.frequency,
                "purpose": med.purpose,
                "prescriber": prescriber,
                "status": med.status,
                "start_date": start,
                "stop_date": stop,
            }
        )
    return rows


# == the public entry point =====================================================


def fill_demo_caseload(
    vault: Vault,
    *,
    patients: int,
    seed: int = 1,
    progress: Progress | None = None,
    as_of: date | None = None,
    assessments: bool = True,
    care_plans: bool = True,
    follow_up: bool = True,
    coordination: bool = True,
) -> int:
    """Add ``patients`` made-up patients with full charts to an empty vault; returns the count.

    ``as_of`` is the day the caseload is "seen" from (default: today); it must not be in
    the future. With ``assessments`` (the default) each patient also gets an assessment
    history (carenav.services.demo_assessments), signed by the vault's user; with
    ``care_plans`` most active patients get a care plan with its versions
    (carenav.services.demo_plans); with ``coordination`` the vault gets a fictional resource
    directory and some patients referrals and authorisations
    (carenav.services.demo_coordination).
    ``progress(done, total)`` is called before the first step and after each step of 500
    patients. Everything is added in one transaction: on any error, or an exception
    raised by ``progress`` (a Cancel button), nothing is kept.
    """
    if not 0 <= patients <= MAX_PATIENTS:
        raise InvalidInput({"patients": f"Choose a number of patients from 0 to {MAX_PATIENTS:,}."})
    as_of = as_of or date.today()
    if as_of > date.today():
        raise InvalidInput({"as_of": "The reference date cannot be in the future; use today."})
    if count_patients(vault) > 0:
        raise InvalidInput(
            {
                "vault": "This vault already holds patients. Make a new, empty vault for the "
                "demo caseload so practice records never mix with real ones."
            }
        )
    draw = Draw(seed)
    histories = DemoAssessments(seed=seed, author=vault.audit.user) if assessments else None
    plans = DemoPlans(seed=seed, author=vault.audit.user) if care_plans else None
    followup = DemoFollowUp(seed=seed, author=vault.audit.user) if follow_up else None
    coordinating = DemoCoordination(seed=seed, author=vault.audit.user) if coordination else None
    done = 0
    with vault.session() as session:
        if progress is not None:
            progress(0, patients)
        if coordinating is not None:  # the resource directory, once
            directory = Batch()
            coordinating.add_directory(as_of, directory.add)
            for kind, rows in directory.tables.items():
                session.connection().execute(insert(table_of(kind)), rows)
        while done < patients:
            step = min(CHUNK, patients - done)
            batch = _build_batch(draw, as_of, step, histories, plans, followup, coordinating)
            _insert(session, batch)
            done += step
            if progress is not None:
                progress(done, patients)
    return done


def _build_batch(
    draw: Draw,
    as_of: date,
    count: int,
    histories: DemoAssessments | None = None,
    plans: DemoPlans | None = None,
    followup: DemoFollowUp | None = None,
    coordination: DemoCoordination | None = None,
) -> Batch:
    batch = Batch()
    for _ in range(count):
        _build_patient(draw, as_of, batch, histories, plans, followup, coordination)
    return batch


def _insert(session: Session, batch: Batch) -> None:
    """One Core executemany per table: every row carries every column, so SQLAlchemy
    sends each table's rows in a single call (the ORM bulk path would split them into
    many small calls wherever optional columns are empty)."""
    connection = session.connection()
    if batch.patients:
        connection.execute(insert(table_of(Patient)), batch.patients)
    tables = (*CHART_RECORD_TYPES, *ASSESSMENT_TABLES, *PLAN_TABLES, *FOLLOW_UP_TABLES)
    for kind in (*tables, *COORDINATION_TABLES):
        rows = batch.tables.get(kind)
        if rows:
            connection.execute(insert(table_of(kind)), rows)


def table_of(kind: type[Record]) -> Table:
    table = SQLModel.metadata.tables[str(kind.__tablename__)]
    return table
