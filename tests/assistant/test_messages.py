"""The assistant's own texts (issue 4)."""

from madoguchi.assistant.messages import MESSAGES
from madoguchi.assistant.models import LANGUAGES


def test_assistant_texts_exist_in_every_language():
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key
