"""The assistant's knowledge base (FAQ), its question log and residents' inquiries.

A municipality's FAQ is approved content: the assistant never writes an answer, it only
finds the entry that answers a question and shows it with its source. Every change to an
entry makes an immutable :class:`FaqVersion` (and an audit entry), so what a resident was
told on a given day can always be shown later.

Embeddings are derived data: one vector per entry, language and text kind (question or
answer), keyed by the text's hash and the model's name, so an edit recomputes only what
changed and a model change recomputes everything.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from madoguchi.tenants.scoping import municipality_scoped_manager

# BCP 47 tags of the languages an entry may be written in. ja is required; ja-x-easy is
# やさしい日本語 (plain Japanese for residents still learning it).
LANGUAGES: dict[str, str] = {
    "ja": "日本語",
    "ja-x-easy": "やさしい にほんご",
    "en": "English",
    "zh-Hans": "简体中文",
    "zh-Hant": "繁體中文",
    "ko": "한국어",
    "vi": "Tiếng Việt",
    "pt-BR": "Português (Brasil)",
    "tl": "Tagalog",
    "ne": "नेपाली",
    "id": "Bahasa Indonesia",
}
JAPANESE = ("ja", "ja-x-easy")


class FaqCategory(models.Model):
    """One of a municipality's FAQ categories, as its own FAQ names them.

    A city's FAQ comes with its own categories (or none): the import creates one per category
    text it has not seen (``key`` is that text, or the slug the demo uses), and staff edit the
    label per language in the back office. An entry refers to its category by ``key``; an
    empty key is an entry without a category.
    """

    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=64)
    # language -> label; a language without one shows the Japanese label, then the key
    labels = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "position", "key"]
        constraints = [models.UniqueConstraint(fields=["municipality", "key"], name="uniq_faq_category_key")]
        verbose_name = _("FAQ category")

    def __str__(self) -> str:
        return self.key

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("ja") or self.key


class EntryStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("faq entry", "Draft")
    PUBLISHED = "published", pgettext_lazy("faq entry", "Published")


class KnowledgeBase(models.Model):
    """A municipality's knowledge-base revision: moved on every change that alters answers.

    Each process caches its search index per municipality and compares this one integer on
    every question, so an edit is never answered from a stale index.
    """

    municipality = models.OneToOneField("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveBigIntegerField(default=0)
    # Changes with every revision: a process-local index cache can never mistake another
    # database's (or a recreated municipality's) revision 3 for its own.
    stamp = models.UUIDField(default=uuid.uuid4)

    objects = municipality_scoped_manager()

    def __str__(self) -> str:
        return f"{self.municipality_id}@{self.revision}"


class FaqEntry(models.Model):
    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(_("id"), max_length=64)
    # a FaqCategory key of the municipality, or "" (no category)
    category = models.CharField(_("category"), max_length=64, blank=True)
    department = models.ForeignKey(
        "tenants.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    procedure_slug = models.SlugField(_("related procedure"), max_length=80, blank=True)
    # the date the municipality's own page says the answer was last updated (from an import)
    source_updated = models.DateField(_("source updated"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "external_id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "external_id"], name="uniq_faq_external_id")]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.external_id


class FaqTranslation(models.Model):
    """One language of an entry: the question and the answer as sanitised HTML."""

    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=12, choices=[(k, v) for k, v in LANGUAGES.items()])
    question = models.TextField()
    answer_html = models.TextField()

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["entry", "language"]
        constraints = [models.UniqueConstraint(fields=["entry", "language"], name="uniq_faq_translation")]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.language}"


class FaqVersion(models.Model):
    """An immutable snapshot of an entry after one change (never updated or deleted)."""

    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    actor = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["entry", "number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="uniq_faq_version")]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.number}"


class TextKind(models.TextChoices):
    QUESTION = "q", "question"
    ANSWER = "a", "answer"


class FaqEmbedding(models.Model):
    """A passage vector (float32 bytes) of one text of one translation, for one model."""

    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="embeddings")
    language = models.CharField(max_length=12)
    kind = models.CharField(max_length=1, choices=TextKind.choices)
    text_hash = models.CharField(max_length=64)
    model = models.CharField(max_length=80)
    vector = models.BinaryField()

    objects = municipality_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "language", "kind", "model"], name="uniq_faq_embedding"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.language}/{self.kind}"


class Feedback(models.TextChoices):
    HELPFUL = "helpful", _("Helpful")
    NOT_HELPFUL = "not_helpful", _("Not helpful")


class QuestionLog(models.Model):
    """A resident's question after personal data was scrubbed, with what the assistant answered.

    The public id is what the resident's page or app holds to send feedback; the row id
    never leaves the server.
    """

    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.TextField()
    language = models.CharField(max_length=12)
    entry_ids = models.JSONField(default=list)
    score = models.FloatField(default=0.0)
    confidence = models.FloatField(default=0.0)
    confident = models.BooleanField(default=False)
    feedback = models.CharField(max_length=16, choices=Feedback.choices, blank=True)
    vector = models.BinaryField(blank=True, default=b"")
    model = models.CharField(max_length=80, blank=True)
    draft_entry = models.ForeignKey(FaqEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["municipality", "created_at"])]

    def __str__(self) -> str:
        return str(self.public_id)


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class Inquiry(models.Model):
    """A question the assistant could not answer, handed to staff (お問い合わせ)."""

    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # what the resident is given to quote (on screen, in the e-mail, on the phone): "Q-7KX3-9PMD"
    reference = models.CharField(_("reference"), max_length=16, blank=True)
    question_log = models.ForeignKey(QuestionLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        "tenants.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question = models.TextField(_("question"))
    # Kept only until it is needed no more: emptied when staff's answer is queued for sending,
    # or after INQUIRY_EMAIL_DAYS for an inquiry never answered (answering.inquiry_emails_expire).
    email = models.EmailField(_("e-mail address"), blank=True)
    email_given = models.BooleanField(default=False)
    language = models.CharField(max_length=12)
    status = models.CharField(max_length=16, choices=InquiryStatus.choices, default=InquiryStatus.OPEN)
    answer = models.TextField(blank=True)
    answered_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"],
                condition=~models.Q(reference=""),
                name="uniq_inquiry_reference",
            )
        ]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self) -> str:
        return str(self.public_id)
