"""Refusals of the documents app, in French, Arabic and English (pure data). The field's label
is the caller's form field name unless it is one of ours."""

from __future__ import annotations

from tadamun.errors import Catalogue

LABELS: dict[str, dict[str, str]] = {
    "document": {"fr": "Document", "ar": "الوثيقة", "en": "Document"},
}

DOCUMENT_REASONS: dict[str, dict[str, str]] = {
    "empty": {
        "fr": "le fichier est vide",
        "ar": "الملف فارغ",
        "en": "the file is empty",
    },
    "too_large": {
        "fr": "le fichier dépasse {max} Mo",
        "ar": "حجم الملف يتجاوز {max} ميغابايت",
        "en": "the file is larger than {max} MB",
    },
    "bad_type": {
        "fr": "seuls les fichiers PDF, JPEG et PNG sont acceptés (contenu reçu : {got})",
        "ar": "لا تُقبل إلا ملفات PDF وJPEG وPNG (المحتوى المستلم: {got})",
        "en": "only PDF, JPEG and PNG files are accepted (content received: {got})",
    },
    "bad_extension": {
        "fr": "le nom du fichier doit finir par .pdf, .jpg, .jpeg ou .png",
        "ar": "يجب أن ينتهي اسم الملف بـ ‎.pdf أو ‎.jpg أو ‎.jpeg أو ‎.png",
        "en": "the file name must end in .pdf, .jpg, .jpeg or .png",
    },
    "type_mismatch": {
        "fr": "le nom annonce un fichier {declared} mais le contenu est {got}",
        "ar": "الاسم يشير إلى ملف {declared} لكن المحتوى {got}",
        "en": "the name says {declared} but the content is {got}",
    },
    "corrupt": {
        "fr": "le fichier {type} est endommagé et ne peut pas être lu",
        "ar": "ملف {type} تالف ولا يمكن قراءته",
        "en": "the {type} file is damaged and cannot be read",
    },
    "encrypted": {
        "fr": "le PDF est protégé par un mot de passe ; envoyez une version non protégée",
        "ar": "ملف PDF محمي بكلمة مرور؛ أرسل نسخة غير محمية",
        "en": "the PDF is password-protected: send an unprotected copy",
    },
    "active_content": {
        "fr": "le PDF contient du contenu actif refusé ({what})",
        "ar": "يحتوي ملف PDF على محتوى نشط مرفوض ({what})",
        "en": "the PDF holds active content, which is refused ({what})",
    },
    "too_many_pixels": {
        "fr": "l'image compte trop de pixels (au plus {max} millions)",
        "ar": "عدد بكسلات الصورة كبير جدًا (الحد {max} مليون)",
        "en": "the image has too many pixels (at most {max} million)",
    },
    "malware": {
        "fr": "l'analyse antivirus a détecté une menace ({threat})",
        "ar": "كشف الفحص المضاد للفيروسات تهديدًا ({threat})",
        "en": "the virus scan found a threat ({threat})",
    },
    "scan_failed": {
        "fr": "le fichier n'a pas pu être analysé ; réessayez plus tard",
        "ar": "تعذّر فحص الملف؛ أعد المحاولة لاحقًا",
        "en": "the file could not be scanned: try again later",
    },
}

CATALOGUE = Catalogue(LABELS, DOCUMENT_REASONS, default_label=LABELS["document"])
label = CATALOGUE.label
problem = CATALOGUE.problem
refuse = CATALOGUE.refuse
