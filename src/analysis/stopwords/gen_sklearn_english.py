"""Regenerate sklearn_english.txt (scikit-learn's ENGLISH_STOP_WORDS, one per line, sorted) from scikit-learn."""
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

out = Path(__file__).with_name("sklearn_english.txt")
out.write_text("".join(w + "\n" for w in sorted(ENGLISH_STOP_WORDS)), encoding="utf-8")
print(f"wrote {len(ENGLISH_STOP_WORDS)} words to {out}")
