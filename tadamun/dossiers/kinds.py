"""The kinds of dossier and who decides them: a plain dict, read by
:func:`tadamun.dossiers.services.dossier_decide` (no signals).

An app that opens dossiers ADDS one entry to :data:`KINDS` (a small edit) and implements the
decision service it names, with exactly this signature::

    # tadamun/affiliation/services.py
    def immatriculation_decide(
        *, dossier: Dossier, staff: User, approve: bool, reason: str
    ) -> None:
        '''Apply the agency's decision to the app's own request (``dossier.subject_id``).
        Runs inside dossier_decide's transaction: raise InvalidInput to refuse, and nothing
        (neither your rows nor the dossier's status) is written.'''

    # here, in KINDS:
    "immatriculation": KindSpec(
        labels={"fr": "Immatriculation", "ar": "تسجيل", "en": "Registration"},
        decide="tadamun.affiliation.services.immatriculation_decide",
    ),

``dossier_decide`` then sets the status (approved / rejected), writes the history and notifies
the applicant. ``expected`` adds texts for the kind's own "what is expected of you next" codes
(used as ``expected_next=`` in ``dossier_open`` / ``dossier_transition``), beside the shared
:data:`EXPECTED`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Texts = Mapping[str, str]


@dataclass(frozen=True)
class KindSpec:
    """One kind of dossier: its name in fr/ar/en and the dotted path of its decision service."""

    labels: Texts
    #: Dotted path of ``f(*, dossier, staff, approve, reason) -> None``, resolved with
    #: :func:`django.utils.module_loading.import_string` when a decision is taken.
    decide: str
    #: The kind's own "expected next" codes -> texts in fr/ar/en.
    expected: Mapping[str, Texts] = field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.labels.get(language.split("-")[0], self.labels["en"])


#: "What is expected of you next", shared by every kind. A dossier stores the code.
EXPECTED: dict[str, dict[str, str]] = {
    "nothing": {
        "fr": "Rien pour l'instant : l'agence examine votre demande.",
        "ar": "لا شيء حاليًا: الوكالة تدرس طلبك.",
        "en": "Nothing for now: the agency is reviewing your request.",
    },
    "send_documents": {
        "fr": "Envoyez les pièces demandées par l'agence.",
        "ar": "أرسل الوثائق التي طلبتها الوكالة.",
        "en": "Send the documents the agency asked for.",
    },
    "visit_agency": {
        "fr": "Présentez-vous à votre agence avec les originaux de vos pièces.",
        "ar": "تقدَّم إلى وكالتك مع أصول وثائقك.",
        "en": "Visit your agency with the originals of your documents.",
    },
    "done": {
        "fr": "Rien : votre demande est traitée.",
        "ar": "لا شيء: تمت معالجة طلبك.",
        "en": "Nothing: your request has been dealt with.",
    },
}


KINDS: dict[str, KindSpec] = {
    # A complaint or a general request: the decision itself is the answer, nothing else changes.
    "complaint": KindSpec(
        labels={"fr": "Réclamation", "ar": "شكوى", "en": "Complaint"},
        decide="tadamun.dossiers.services.complaint_decide",
    ),
    # Other apps add their kinds below, one entry each (keep this line as the marker).
    "retirement": KindSpec(
        labels={"fr": "Demande de retraite", "ar": "طلب التقاعد", "en": "Retirement request"},
        decide="tadamun.benefits.services.retirement_decide",
    ),
    "immatriculation": KindSpec(
        labels={
            "fr": "Immatriculation d'un salarié",
            "ar": "تسجيل عامل",
            "en": "Employee registration",
        },
        decide="tadamun.affiliation.services.immatriculation_decide",
    ),
    "casnos_affiliation": KindSpec(
        labels={
            "fr": "Affiliation d'un non-salarié",
            "ar": "انتساب غير أجير",
            "en": "Self-employed affiliation",
        },
        decide="tadamun.affiliation.services.self_employed_decide",
    ),
    "voluntary_membership": KindSpec(
        labels={
            "fr": "Adhésion volontaire d'un Algérien résidant à l'étranger",
            "ar": "انخراط طوعي لجزائري مقيم بالخارج",
            "en": "Voluntary membership of an Algerian living abroad",
        },
        decide="tadamun.voluntary.services.membership_decide",
    ),
}


def kind_spec(kind: str) -> KindSpec:
    """The spec of ``kind``; KeyError for an unknown kind (a programming error)."""
    return KINDS[kind]
