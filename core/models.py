"""The search index: one row of normalised tokens per indexed record (see core/search.py)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class JobStatus(models.TextChoices):
    """Where a background job stands."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


# The keys the job handlers put in Job.result (imports, exports, reindex, snapshots, pairing runs,
# retranslation), as the job's page names them.
RESULT_LABELS = {
    "rows": _("行数"),
    "created": _("新增"),
    "updated": _("更新"),
    "rejected_rows": _("未通过的行数"),
    "rejected_unlisted": _("未列出的未通过问题"),
    "dry_run": _("试运行"),
    "written": _("已写入"),
    "revealed": _("含明文个人信息的行数"),
    "reindexed": _("已重建的索引条目"),
    "organizations": _("组织数"),
    "run": _("运行编号"),
    "status": _("状态"),
    "objective": _("目标值"),
    "pairs": _("结对数"),
    "products": _("产品数"),
    "translated": _("已翻译"),
}


class Job(models.Model):
    """A large import, export or reindex run by the worker, with its progress and outcome.

    The task queue (django-tasks) only carries the job id; progress, cancel requests and
    the outcome live here so the UI can poll them and keep them after the task is gone.
    """

    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs",
                                   verbose_name=_("发起人"))
    status = models.CharField(_("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), null=True, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    input_file = models.FileField(_("上传文件"), upload_to="jobs/in/%Y/%m", blank=True)
    output_file = models.FileField(_("结果文件"), upload_to="jobs/out/%Y/%m", blank=True)
    cancel_requested = models.BooleanField(_("已请求取消"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def outcome(self) -> list[tuple[str, object]]:
        """The result's figures as (label, value) for the job's page, in the user's language.

        The rejected rows are shown apart (their own table); a key no label knows is shown as it is.
        """
        shown = []
        for key, value in (self.result or {}).items():
            if key in ("rejected", "url"):
                continue
            if isinstance(value, bool):
                value = _("是") if value else _("否")
            elif isinstance(value, dict):
                value = "; ".join(f"{k}: {v}" for k, v in value.items())
            shown.append((RESULT_LABELS.get(key, key), value))
        return shown

    @property
    def finished(self) -> bool:
        """Whether the job has stopped, one way or another."""
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}

    @property
    def percent(self) -> int:
        """Progress in percent, 0 when the total is not known yet."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return min(100, int(self.done * 100 / self.total)) if self.total else 0


class ChainLink(models.Model):
    """One entry of a chained log (audit or security) linked to the previous one by its hash.

    Written by `core.chain.append` in the entry's own transaction; never updated, deleted only
    by retention pruning (database triggers enforce both; see core/chain.py).
    """

    log = models.CharField(_("日志"), max_length=20)
    seq = models.BigIntegerField(_("序号"))
    entry_id = models.BigIntegerField(_("记录编号"))
    user_ref = models.BigIntegerField(_("用户编号"), null=True, blank=True)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)
    created_at = models.DateTimeField(_("链接时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("日志链接")
        verbose_name_plural = _("日志链接")
        constraints = [
            models.UniqueConstraint(fields=["log", "seq"], name="chainlink_log_seq"),
            models.UniqueConstraint(fields=["log", "entry_id"], name="chainlink_log_entry"),
        ]

    def __str__(self):
        return f"{self.log}#{self.seq}"


class ChainCheckpoint(models.Model):
    """Where a chain resumes after retention pruning: the last pruned sequence number and its hash."""

    log = models.CharField(_("日志"), max_length=20)
    seq = models.BigIntegerField(_("最后删除的序号"))
    hash = models.CharField(_("其哈希"), max_length=64)
    pruned = models.PositiveIntegerField(_("删除条数"))
    before = models.DateTimeField(_("删除此时间之前的记录"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日志检查点")
        verbose_name_plural = _("日志检查点")
        constraints = [models.UniqueConstraint(fields=["log", "seq"], name="chaincheckpoint_log_seq")]

    def __str__(self):
        return f"{self.log}@{self.seq}"
