"""Problems in a file: (line, field, code, message in French, Arabic and English).

The messages reuse :mod:`tadamun.errors`' style and its reasons (``required``, ``not_digits``,
``bad_key``…); the reasons that only files have are in :data:`FILE_REASONS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tadamun.errors import LANGUAGES, REASONS, Problem

#: Reasons particular to files, by code, in every language; ``{placeholders}`` from the params.
FILE_REASONS: dict[str, dict[str, str]] = {
    "wrong_line_length": {
        "fr": "la ligne doit comporter {expected} caractères (lue : {got})",
        "ar": "يجب أن يتكون السطر من {expected} حرفًا (المقروء: {got})",
        "en": "the line must have {expected} characters (got {got})",
    },
    "bad_encoding": {
        "fr": "n'est pas en ASCII (octet {byte} en position {position} : autre encodage ?)",
        "ar": "ليس بترميز ASCII (البايت {byte} في الموضع {position}: ترميز آخر؟)",
        "en": "is not ASCII (byte {byte} at position {position}: another encoding?)",
    },
    "non_ascii": {
        "fr": "contient un caractère non ASCII « {char} » en position {position}",
        "ar": "يحتوي على حرف غير ASCII «{char}» في الموضع {position}",
        "en": "contains a non-ASCII character “{char}” at position {position}",
    },
    "lowercase": {
        "fr": "contient une minuscule « {char} » en position {position} (majuscules exigées)",
        "ar": "يحتوي على حرف صغير «{char}» في الموضع {position} (الحروف الكبيرة مطلوبة)",
        "en": "contains a lowercase letter “{char}” at position {position} (upper case required)",
    },
    "bad_character": {
        "fr": "contient « {char} », non admis, en position {position} (A–Z, 0–9, espace)",
        "ar": "يحتوي على حرف غير مقبول «{char}» في الموضع {position} (A–Z، 0–9، مسافة)",
        "en": "contains a character not allowed “{char}” at position {position} (A–Z, 0–9, space)",
    },
    "not_zero_padded": {
        "fr": "« {value} » doit être des chiffres complétés de zéros à gauche",
        "ar": "«{value}» يجب أن يتكون من أرقام مكمّلة بأصفار على اليسار",
        "en": "“{value}” must be digits padded with zeros on the left",
    },
    "unknown_record": {
        "fr": "type d'enregistrement inconnu « {value} » (attendu : {expected})",
        "ar": "نوع تسجيل غير معروف «{value}» (المتوقع: {expected})",
        "en": "unknown record type “{value}” (expected {expected})",
    },
    "out_of_order": {
        "fr": "{value} n'est pas à sa place (attendu : {expected})",
        "ar": "{value} ليس في موضعه (المتوقع: {expected})",
        "en": "{value} is out of order (expected {expected})",
    },
    "missing_record": {
        "fr": "le fichier se termine sans l'enregistrement {expected}",
        "ar": "ينتهي الملف دون التسجيل {expected}",
        "en": "the file ends without the {expected} record",
    },
    "empty_file": {
        "fr": "le fichier est vide",
        "ar": "الملف فارغ",
        "en": "the file is empty",
    },
    "inconsistent": {
        "fr": "« {value} » diffère de celui de la ligne {line} ({expected})",
        "ar": "«{value}» يختلف عما ورد في السطر {line} ({expected})",
        "en": "“{value}” differs from line {line} ({expected})",
    },
    "other_employer": {
        "fr": "{value} : ce fichier est celui d'un autre employeur (attendu {expected})",
        "ar": "{value}: هذا الملف يخص صاحب عمل آخر (المتوقع {expected})",
        "en": "{value}: this file belongs to another employer (expected {expected})",
    },
    "other_period": {
        "fr": "{value} : ce fichier porte sur une autre période (attendue {expected})",
        "ar": "{value}: هذا الملف يخص فترة أخرى (المتوقعة {expected})",
        "en": "{value}: this file is for another period (expected {expected})",
    },
    "not_a_period": {
        "fr": "« {value} » n'est pas une période AAAAMM",
        "ar": "«{value}» ليست فترة بصيغة AAAAMM",
        "en": "“{value}” is not a period AAAAMM",
    },
    "not_a_file_date": {
        "fr": "« {value} » n'est pas une date AAAAMMJJ",
        "ar": "«{value}» ليس تاريخًا بصيغة AAAAMMJJ",
        "en": "“{value}” is not a date AAAAMMJJ",
    },
    "bad_category": {
        "fr": "« {value} » : une déclaration normale porte la catégorie {expected}",
        "ar": "«{value}»: التصريح العادي يحمل الفئة {expected}",
        "en": "“{value}”: a normal declaration has category {expected}",
    },
    "control_sum": {
        "fr": "{got} ne correspond pas à la somme de contrôle de la ligne ({expected})",
        "ar": "{got} لا يطابق مجموع المراقبة للسطر ({expected})",
        "en": "{got} does not match the line's control sum ({expected})",
    },
    "total_mismatch": {
        "fr": "{got} ne correspond pas à la somme des lignes {of} ({expected})",
        "ar": "{got} لا يطابق مجموع الأسطر {of} ({expected})",
        "en": "{got} is not the sum of the {of} lines ({expected})",
    },
    "unknown_situation": {
        "fr": "« {value} » n'est pas un code de situation ({expected})",
        "ar": "«{value}» ليس رمز وضعية ({expected})",
        "en": "“{value}” is not a situation code ({expected})",
    },
    "must_be_zero": {
        "fr": "doit être 0 pour la situation {situation} (lu : {got})",
        "ar": "يجب أن يكون 0 في الوضعية {situation} (المقروء: {got})",
        "en": "must be 0 for situation {situation} (got {got})",
    },
    "zero_salary_not_so": {
        "fr": "un salaire nul sans situation doit porter la situation SO",
        "ar": "الأجر المنعدم دون وضعية يجب أن يحمل الوضعية SO",
        "en": "a zero salary with no situation must carry the situation SO",
    },
    "too_many_days": {
        "fr": "{got} jours dépassent le maximum de {max}",
        "ar": "{got} يومًا تتجاوز الحد الأقصى {max}",
        "en": "{got} days exceed the maximum of {max}",
    },
    "bad_capped_salary": {
        "fr": "{got} au lieu de {expected} (salaire réel plafonné à {ceiling})",
        "ar": "{got} بدلًا من {expected} (الأجر الفعلي مسقف في {ceiling})",
        "en": "{got} instead of {expected} (actual salary capped at {ceiling})",
    },
    "above_actual": {
        "fr": "{got} dépasse le salaire réel ({actual})",
        "ar": "{got} يتجاوز الأجر الفعلي ({actual})",
        "en": "{got} exceeds the actual salary ({actual})",
    },
    "payback_above_net": {
        "fr": "{got} dépasse les allocations familiales nettes ({net})",
        "ar": "{got} يتجاوز صافي التعويضات العائلية ({net})",
        "en": "{got} exceeds the net family allowances ({net})",
    },
    "payback_not_net": {
        "fr": "doit être égal aux allocations nettes ({net}) pour la situation {situation}",
        "ar": "يجب أن يساوي صافي التعويضات ({net}) في الوضعية {situation}",
        "en": "must equal the net allowances ({net}) for situation {situation}",
    },
    "duplicate_insured": {
        "fr": "{value} est déjà déclaré à la ligne {line}",
        "ar": "{value} مصرح به مسبقًا في السطر {line}",
        "en": "{value} is already declared on line {line}",
    },
    "missing_employee": {
        "fr": "{value}, attendu dans le fichier pré-rempli, n'est pas déclaré en B02",
        "ar": "{value}، المتوقع في الملف المعبأ مسبقًا، غير مصرح به في B02",
        "en": "{value}, expected from the pre-filled file, is not declared in B02",
    },
    "not_expected": {
        "fr": "{value} n'est pas dans le fichier pré-rempli : un nouveau salarié va en B04",
        "ar": "{value} غير موجود في الملف المعبأ مسبقًا: الأجير الجديد يُصرَّح به في B04",
        "en": "{value} is not in the pre-filled file: a new employee goes in B04",
    },
    "blank_not_alone": {
        "fr": "une ligne B04 vide n'est admise que s'il n'y a aucun nouveau salarié",
        "ar": "سطر B04 الفارغ لا يُقبل إلا في غياب أي أجير جديد",
        "en": "a blank B04 line is allowed only when there is no new employee",
    },
    "blank_not_empty": {
        "fr": "la ligne B04 vide doit avoir tous ses montants à zéro (lu : {got})",
        "ar": "سطر B04 الفارغ يجب أن تكون كل مبالغه صفرًا (المقروء: {got})",
        "en": "the blank B04 line must have all amounts zero (got {got})",
    },
    "casual_days": {
        "fr": "un travailleur occasionnel (999999999) est déclaré avec 00 jour (lu : {got})",
        "ar": "العامل العرضي (999999999) يُصرَّح به بـ 00 يوم (المقروء: {got})",
        "en": "a casual worker (999999999) is declared with 00 days (got {got})",
    },
    "cin_required": {
        "fr": "est obligatoire pour un salarié non encore immatriculé (000000000)",
        "ar": "إلزامي لأجير غير مسجل بعد (000000000)",
        "en": "is required for an employee not yet registered (000000000)",
    },
    "no_ceiling": {
        "fr": "aucun plafond de cotisation en vigueur pour {value} dans les règles ma-cnss",
        "ar": "لا يوجد سقف اشتراك ساري المفعول لـ {value} في قواعد ma-cnss",
        "en": "no contribution ceiling in force for {value} in the ma-cnss rules",
    },
    "implausible_amount": {
        "fr": "{got} dépasse le montant maximal accepté ({max})",
        "ar": "{got} يتجاوز المبلغ الأقصى المقبول ({max})",
        "en": "{got} exceeds the largest amount accepted ({max})",
    },
    "not_a_quarter": {
        "fr": "« {value} » n'est pas un trimestre (1 à 4)",
        "ar": "«{value}» ليس ثلاثيًا (من 1 إلى 4)",
        "en": "“{value}” is not a quarter (1 to 4)",
    },
    "not_a_year": {
        "fr": "« {value} » n'est pas une année entre {min} et {max}",
        "ar": "«{value}» ليست سنة بين {min} و{max}",
        "en": "“{value}” is not a year between {min} and {max}",
    },
    "bad_numbering": {
        "fr": "page {page}, ligne {value} : attendu page {expected_page}, ligne {expected}",
        "ar": "الصفحة {page}، السطر {value}: المتوقع الصفحة {expected_page}، السطر {expected}",
        "en": "page {page}, line {value}: expected page {expected_page}, line {expected}",
    },
    "reserved_not_empty": {
        "fr": "« {value} » : zone réservée, zéros ou espaces attendus",
        "ar": "«{value}»: منطقة محجوزة، يُنتظر أصفار أو مسافات",
        "en": "“{value}”: reserved, zeros or spaces expected",
    },
    # Algeria DAS (dz_das.py)
    "not_right_aligned": {
        "fr": "« {value} » doit être un entier aligné à droite, complété d'espaces à gauche",
        "ar": "«{value}» يجب أن يكون عددًا صحيحًا محاذًى لليمين ومكمّلًا بمسافات على اليسار",
        "en": "“{value}” must be a whole number aligned right, padded with spaces on the left",
    },
    "not_a_das_date": {
        "fr": "« {value} » n'est pas une date jjmmaaaa (ni 8 espaces)",
        "ar": "«{value}» ليس تاريخًا بصيغة jjmmaaaa (ولا 8 مسافات)",
        "en": "“{value}” is not a date jjmmaaaa (nor 8 spaces)",
    },
    "bad_unit": {
        "fr": "« {value} » : l'unité de durée doit être {expected}",
        "ar": "«{value}»: يجب أن تكون وحدة المدة {expected}",
        "en": "“{value}”: the unit of duration must be {expected}",
    },
    "too_many_hours": {
        "fr": "{got} heures dépassent le maximum de {max} par trimestre",
        "ar": "{got} ساعة تتجاوز الحد الأقصى {max} في الثلاثي",
        "en": "{got} hours exceed the maximum of {max} per quarter",
    },
    "quarters_not_total": {
        "fr": "{got} n'est pas la somme des quatre trimestres ({expected})",
        "ar": "{got} ليس مجموع الثلاثيات الأربعة ({expected})",
        "en": "{got} is not the sum of the four quarters ({expected})",
    },
    "salary_above_cap": {
        "fr": "{got} centimes dépassent le plafond de ce champ ({cap} DZD) : "
        "déclarer avec la disposition large {layout}",
        "ar": "{got} سنتيمًا تتجاوز سقف هذا الحقل ({cap} دج): يُصرَّح بالتصميم الموسّع {layout}",
        "en": "{got} centimes exceed this field's cap ({cap} DZD): declare with the wide "
        "layout {layout}",
    },
    "differs_from_header": {
        "fr": "« {value} » diffère de l'en-tête ({expected})",
        "ar": "«{value}» يختلف عن الرأسية ({expected})",
        "en": "“{value}” differs from the header ({expected})",
    },
    "bad_line_number": {
        "fr": "{value} au lieu de {expected} (lignes numérotées 1, 2, 3… dans l'ordre)",
        "ar": "{value} بدلًا من {expected} (تُرقَّم الأسطر 1، 2، 3… بالترتيب)",
        "en": "{value} instead of {expected} (lines are numbered 1, 2, 3… in order)",
    },
    "header_one_line": {
        "fr": "le fichier d'en-tête ne contient qu'une seule ligne",
        "ar": "ملف الرأسية يحتوي على سطر واحد فقط",
        "en": "the header file holds a single line",
    },
    "not_blank": {
        "fr": "« {value} » : une espace est attendue",
        "ar": "«{value}»: يُنتظر فراغ",
        "en": "“{value}”: a space is expected",
    },
    "missing_expected": {
        "fr": "{value}, attendu pour cet employeur, n'est pas déclaré",
        "ar": "{value}، المتوقع لدى هذا المستخدم، غير مصرح به",
        "en": "{value}, expected for this employer, is not declared",
    },
    "no_rates": {
        "fr": "aucun taux de cotisation en vigueur pour {value} dans les règles {regime}",
        "ar": "لا توجد نسب اشتراك سارية لـ {value} في قواعد {regime}",
        "en": "no contribution rates in force for {value} in the {regime} rules",
    },
    # CSV template (csv_template.py)
    "no_header_row": {
        "fr": "la première ligne doit nommer les colonnes, séparées par « , » ou « ; »",
        "ar": "يجب أن يسمي السطر الأول الأعمدة، مفصولة بـ «,» أو «;»",
        "en": "the first line must name the columns, separated by “,” or “;”",
    },
    "missing_column": {
        "fr": "la colonne {value} est obligatoire",
        "ar": "العمود {value} إلزامي",
        "en": "the column {value} is required",
    },
    "unknown_column": {
        "fr": "colonne inconnue « {value} » (connues : {expected})",
        "ar": "عمود غير معروف «{value}» (المعروفة: {expected})",
        "en": "unknown column “{value}” (known: {expected})",
    },
    "duplicate_column": {
        "fr": "la colonne {value} apparaît deux fois",
        "ar": "العمود {value} مكرر",
        "en": "the column {value} appears twice",
    },
    "wrong_column_count": {
        "fr": "{got} colonnes au lieu de {expected}",
        "ar": "{got} أعمدة بدلًا من {expected}",
        "en": "{got} columns instead of {expected}",
    },
    "bad_amount": {
        "fr": "« {value} » n'est pas un montant : chiffres, point décimal, au plus {decimals} "
        "décimales",
        "ar": "«{value}» ليس مبلغًا: أرقام ونقطة عشرية وعلى الأكثر {decimals} أرقام عشرية",
        "en": "“{value}” is not an amount: digits, a decimal point, at most {decimals} decimals",
    },
    "not_a_count": {
        "fr": "« {value} » n'est pas un nombre entier positif ou nul",
        "ar": "«{value}» ليس عددًا صحيحًا موجبًا أو صفرًا",
        "en": "“{value}” is not a whole number zero or more",
    },
    "not_utf8": {
        "fr": "n'est pas en UTF-8 (octet {byte} en position {position} : autre encodage ?)",
        "ar": "ليس بترميز UTF-8 (البايت {byte} في الموضع {position}: ترميز آخر؟)",
        "en": "is not UTF-8 (byte {byte} at position {position}: another encoding?)",
    },
    "not_a_csv_period": {
        "fr": "« {value} » n'est pas une période AAAA-MM",
        "ar": "«{value}» ليست فترة بصيغة AAAA-MM",
        "en": "“{value}” is not a period AAAA-MM",
    },
    "too_many_problems": {
        "fr": "trop de problèmes : les {max} premiers sont listés",
        "ar": "مشاكل كثيرة جدًا: أُدرجت {max} الأولى",
        "en": "too many problems: the first {max} are listed",
    },
}

# Morocco's supplementary declaration (E00–E06).
FILE_REASONS.update(
    {
        "bad_supplementary_category": {
            "fr": "« {value} » : une déclaration complémentaire porte une catégorie E1 à E9",
            "ar": "«{value}»: التصريح التكميلي يحمل فئة من E1 إلى E9",
            "en": "“{value}”: a supplementary declaration has a category E1 to E9",
        },
        "must_be_empty": {
            "fr": "doit être vide (zéros ou espaces) sur la ligne E02 d'une déclaration "
            "complémentaire (lu : {got})",
            "ar": "يجب أن يكون فارغًا (أصفار أو مسافات) في السطر E02 من التصريح التكميلي "
            "(المقروء: {got})",
            "en": "must be empty (zeros or spaces) on the E02 line of a supplementary "
            "declaration (got {got})",
        },
        "in_prefilled": {
            "fr": "{value} est dans le fichier pré-rempli : il se déclare en B02 de la "
            "déclaration normale",
            "ar": "{value} موجود في الملف المعبأ مسبقًا: يُصرَّح به في B02 من التصريح العادي",
            "en": "{value} is in the pre-filled file: declare it in B02 of the normal declaration",
        },
        "keeps_af": {
            "fr": "la situation {situation} conserve les allocations familiales : rien à "
            "reverser (lu : {got})",
            "ar": "في الوضعية {situation} يحتفظ الأجير بالتعويضات العائلية: لا شيء للإرجاع "
            "(المقروء: {got})",
            "en": "situation {situation} keeps the family allowances: nothing to pay back "
            "(got {got})",
        },
        "nothing_added": {
            "fr": "une déclaration complémentaire déclare au moins un salarié en E04",
            "ar": "التصريح التكميلي يتضمن أجيرًا واحدًا على الأقل في E04",
            "en": "a supplementary declaration declares at least one employee in E04",
        },
    }
)

_SEPARATOR = {"fr": " : ", "ar": ": ", "en": ": "}


@dataclass(frozen=True)
class LineProblem:
    """One problem in a file: the line (1-based; 0 for the whole file) and the field's problem."""

    line: int
    problem: Problem

    @property
    def field(self) -> str:
        return self.problem.field

    @property
    def code(self) -> str:
        return self.problem.code

    def message(self, language: str = "en") -> str:
        return self.problem.message(language)

    def as_dict(self, language: str = "en") -> dict[str, Any]:
        return {
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "message": self.message(language),
            "messages": {lang: self.message(lang) for lang in LANGUAGES},
            "params": dict(self.problem.params),
        }


def line_problem(
    line: int, field: str, label: Mapping[str, str], code: str, /, **params: object
) -> LineProblem:
    """A :class:`LineProblem` on ``line`` for ``field`` (shown as ``label``) with ``code``."""
    reason = FILE_REASONS.get(code) or REASONS[code]
    values = {key: str(value) for key, value in params.items()}
    texts = {
        lang: f"{label.get(lang, field)}{_SEPARATOR[lang]}{reason[lang].format(**values)}"
        for lang in LANGUAGES
    }
    return LineProblem(
        line=line, problem=Problem(field=field, code=code, texts=texts, params=values)
    )
