"""The search index: one row of normalised tokens per indexed record (see core/search.py)."""
from django.db import models


class SearchEntry(models.Model):
    """Tokens of one record: words, characters, bigrams, pinyin and its organization's path prefixes.

    On SQLite an FTS5 table mirrors `tokens`; on PostgreSQL a generated tsvector column
    with a GIN index does (both created in the migration).
    """

    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    tokens = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "object_id"], name="searchentry_unique")]

    def __str__(self):
        return f"{self.model}:{self.object_id}"
