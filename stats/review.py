"""The annual review (年度工作回眸): a template of sections and sentences whose {figures} are indicators.

Template syntax, one block per line:
    # 一、基本情况            a section heading
    本年度新登记人员{registry.people.registered}人，同比{registry.people.registered.change}。
    [chart registry.people.by_country]    a chart of a breakdown (SVG on the page and in the PDF, a table in .docx)
    [map world registry.people.by_country]    a map of a breakdown by country (world) or province (china)
Placeholders: {KEY} the value, {KEY.previous} the same period a year before, {KEY.change} the change in
words (增长70.41%), {KEY.cumulative} from the beginning up to the period's end, {KEY.top} the five largest
labels of a breakdown; {org} and {year}. Every figure carries a numbered note with its definition and a
link to the rows behind it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from stats import labels
from stats.figures import figure, year_period
from stats.indicators import REGISTRY, Scope, cumulative, records_url

PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")
CHART = re.compile(r"^\[chart\s+([a-z0-9_.]+)\]$")
MAP = re.compile(r"^\[map\s+(world|china)\s+([a-z0-9_.]+)\]$")
FORMS = ("previous", "change", "cumulative", "top")

_COMMON_TAIL = """# 四、下一步工作
（在此写明下一年度的工作思路和重点任务。）"""

DEFAULT_TEMPLATES = {
    "qiaolian": """# 一、组织网络
截至{year}年底，{org}范围内共有各级组织{orgs.organizations.count}个，同比{orgs.organizations.count.change}；其中侨胞之家、新侨驿站等服务站点{orgs.service_points.count}个。
区域内{orgs.coverage.counties}个县级行政区中已有{orgs.coverage.counties_covered}个建立侨联，县级侨联覆盖率{orgs.coverage.county_share}%；{orgs.coverage.towns}个乡镇（街道）侨联中{orgs.coverage.towns_served}个建有侨胞之家，覆盖率{orgs.coverage.town_share}%。
# 二、侨情工作
本年度新登记人员{registry.people.registered}人，同比{registry.people.registered.change}；累计登记在册{registry.people.count}人，其中华侨华人主要分布在{registry.people.by_country.top}等国家和地区。
[map world registry.people.by_country]
[chart registry.people.by_country]
登记人员的祖籍地以{registry.people.by_home_province.top}为主。
[map china registry.people.by_home_province]
[chart registry.people.by_home_province]
# 三、凝聚侨心
在会会员{registry.members.current}个，本年度新入会{registry.members.joined}个，同比{registry.members.joined.change}；理事会成员{orgs.council_members.count}人，全年收取会费{registry.dues.collected}元。
""" + _COMMON_TAIL,
    "service_point": """# 一、基本情况
{year}年，{org}立足基层、服务侨胞，登记在册侨胞及侨眷{registry.people.count}人，本年度新登记{registry.people.registered}人，同比{registry.people.registered.change}。
[chart registry.people.by_category]
# 二、服务侨胞
侨胞主要分布在{registry.people.by_country.top}等国家和地区，祖籍地以{registry.people.by_home_province.top}为主。
""" + _COMMON_TAIL.replace("四", "三"),
    "chamber": """# 一、商会建设
{year}年，{org}坚持“服务会员、规范自律”，在会会员{registry.members.current}个，本年度新发展会员{registry.members.joined}个，同比{registry.members.joined.change}；理事会成员{orgs.council_members.count}人。
# 二、服务会员企业
登记会员企业和个体工商户{registry.enterprises.count}家，行业以{registry.enterprises.by_industry.top}为主。
[chart registry.enterprises.by_industry]
# 三、自身建设
全年收取会费{registry.dues.collected}元，同比{registry.dues.collected.change}；登记人员{registry.people.count}人。
""" + _COMMON_TAIL,
    "overseas_merchant_association": """# 一、凝聚侨力
{year}年，{org}秉持“凝聚侨力、服务会员、奉献社会”的宗旨，在会会员{registry.members.current}个，本年度新入会{registry.members.joined}个，同比{registry.members.joined.change}。登记侨商及涉侨人员{registry.people.count}人，本年度新登记{registry.people.registered}人。
# 二、扬帆出海
会员分布在{registry.people.by_country.top}等国家和地区，为义乌商品与海外渠道搭建桥梁。
[chart registry.people.by_country]
会员企业{registry.enterprises.count}家，行业以{registry.enterprises.by_industry.top}为主。
# 三、自身建设
理事会成员{orgs.council_members.count}人，全年收取会费{registry.dues.collected}元。
""" + _COMMON_TAIL,
    "private_economy_federation": """# 一、组织发展
{year}年，{org}团结带领个体私营经济人士砥砺奋进，在会会员{registry.members.current}个，本年度新入会{registry.members.joined}个，同比{registry.members.joined.change}。
# 二、服务经营主体
登记企业和个体工商户{registry.enterprises.count}家，行业以{registry.enterprises.by_industry.top}为主。
[chart registry.enterprises.by_industry]
# 三、自身建设
理事会成员{orgs.council_members.count}人，全年收取会费{registry.dues.collected}元，同比{registry.dues.collected.change}。
""" + _COMMON_TAIL,
}
DEFAULT_TEMPLATES["hometown_chamber"] = DEFAULT_TEMPLATES["chamber"]
DEFAULT_TEMPLATES["commerce_federation"] = DEFAULT_TEMPLATES["private_economy_federation"]
DEFAULT_TEMPLATES["overseas_association"] = DEFAULT_TEMPLATES["overseas_merchant_association"]
DEFAULT_TEMPLATES["overseas_station"] = DEFAULT_TEMPLATES["service_point"]


def default_template(org) -> tuple[str, str]:
    """(title, body) of the default template for the organization's kind."""
    body = DEFAULT_TEMPLATES.get(org.kind, DEFAULT_TEMPLATES["chamber"])
    return _("%(org)s年度工作回眸") % {"org": org.name}, body


def template_for(org) -> tuple[str, str]:
    """The organization's own template, or the default for its kind."""
    from stats.models import ReviewTemplate

    own = ReviewTemplate.objects.filter(org=org).first()
    return (own.title, own.body) if own else default_template(org)


@dataclass
class Figure:
    """A figure in the review: its text, its note number, definition and the link to its rows."""

    key: str
    text: str
    note: int
    title: str
    description: str
    url: str | None


@dataclass
class Chart:
    """A breakdown drawn as bars: rows of (label, value, url)."""

    key: str
    title: str
    unit: str
    note: int
    rows: list
    is_chart = True  # the templates tell a chart from a paragraph (a list of parts) by this

    def svg(self) -> str:
        """A horizontal bar chart as SVG with presentation attributes only (no inline styles: CSP)."""
        from django.utils.html import escape

        if not self.rows:
            return ""
        top = max(v for _l, v, _u in self.rows) or 1
        height = 24 * len(self.rows) + 8
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="review-chart" width="560" height="{height}" '
                 f'viewBox="0 0 560 {height}" role="img" aria-label="{escape(self.title)}">']
        for i, (lbl, value, url) in enumerate(self.rows):
            y = 4 + 24 * i
            width = max(2, int(360 * value / top))
            bar = (f'<rect x="130" y="{y}" width="{width}" height="18" fill="#b22222"/>'
                   f'<text x="124" y="{y + 14}" text-anchor="end" font-size="12" '
                   f'font-family="Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif">{escape(lbl)}</text>'
                   f'<text x="{134 + width}" y="{y + 14}" font-size="12" '
                   f'font-family="Noto Sans CJK SC, sans-serif">{escape(labels.number(value))}</text>')
            parts.append(f'<a href="{escape(url)}">{bar}</a>' if url else bar)
        parts.append("</svg>")
        return "".join(parts)


@dataclass
class MapChart(Chart):
    """A breakdown by country or province drawn as a shaded map (the rows stay for the .docx table)."""

    geo: str = "world"
    values: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)

    def svg(self) -> str:
        """The map as SVG (stats.maps), the same on the page and in the PDF."""
        from stats.maps import choropleth

        return choropleth(self.geo, self.values, self.title, self.names)


@dataclass
class Section:
    """A heading and its blocks: paragraphs (lists of str and Figure) and charts."""

    heading: str
    blocks: list = field(default_factory=list)


@dataclass
class Review:
    """A rendered review: what the page, the PDF and the .docx are made from."""

    title: str
    org: object
    year: int
    start: dt.date
    end: dt.date
    sections: list
    notes: list
    computed_at: object


class _Notes:
    """Numbers each indicator once, in order of first use."""

    def __init__(self):
        self.by_key: dict[str, Figure] = {}

    def number(self, key: str, title: str, description: str, url: str | None) -> int:
        if key not in self.by_key:
            self.by_key[key] = Figure(key, "", len(self.by_key) + 1, title, description, url)
        return self.by_key[key].note


def _split(token: str) -> tuple[str, str | None]:
    if token in REGISTRY:
        return token, None
    key, _dot, form = token.rpartition(".")
    if key in REGISTRY and form in FORMS:
        return key, form
    return token, "unknown"


def render(org, year: int, *, user, title: str | None = None, body: str | None = None) -> Review:
    """Fill the organization's template (or the given one) with the year's figures as `user` sees them."""
    if body is None:
        own_title, body = template_for(org)
        title = title or own_title
    start, end = year_period(year)
    cache: dict = {}
    notes = _Notes()
    moments = []

    def result(key):
        if key not in cache:
            cache[key] = figure(key, user=user, org=org, start=start, end=end)
            moments.append(cache[key].computed_at)
        return cache[key]

    def fill(token: str):
        if token == "org":
            return org.name
        if token == "year":
            return str(year)
        key, form = _split(token)
        if form == "unknown":
            return "{" + token + "}?"
        indicator = REGISTRY[key]
        r = result(key)
        url = r.url
        description = str(indicator.description)
        if form is None:
            text = labels.number(r.value) if not isinstance(r.value, dict) else _top(indicator, r.value)
        elif form == "previous":
            text = labels.number(r.previous) if not isinstance(r.previous, dict) else _top(indicator, r.previous)
            description += _("（上年同期）")
        elif form == "change":
            text = labels.change_words(r.change)
            description += _("（与上年同期相比）")
        elif form == "cumulative":
            c = cumulative(key, user=user, org=org, end=end)
            text, url = labels.number(c.value), c.url
            description += _("（累计至期末）")
        else:
            text = _top(indicator, r.value) if isinstance(r.value, dict) else labels.number(r.value)
        n = notes.number(key, str(indicator.title), str(indicator.description), r.url)
        return Figure(key, text, n, str(indicator.title), description, url)

    sections: list[Section] = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            sections.append(Section(line.lstrip("#").strip()))
            continue
        if not sections:
            sections.append(Section(""))
        shaded = MAP.match(line)
        if shaded and shaded.group(2) in REGISTRY:
            geo, key = shaded.groups()
            indicator = REGISTRY[key]
            r = result(key)
            values = r.value if isinstance(r.value, dict) else {}
            scope = Scope(user, org, start, end)
            rows = [(labels.label(indicator, k), v, records_url(indicator, scope, k))
                    for k, v in sorted(values.items(), key=lambda kv: -kv[1])[:10]]
            n = notes.number(key, str(indicator.title), str(indicator.description), r.url)
            sections[-1].blocks.append(MapChart(key, str(indicator.title), str(indicator.unit), n, rows, geo=geo,
                                                values=values,
                                                names={k: labels.label(indicator, k) for k in values}))
            continue
        chart = CHART.match(line)
        if chart and chart.group(1) in REGISTRY:
            key = chart.group(1)
            indicator = REGISTRY[key]
            r = result(key)
            scope = Scope(user, org, start, end)
            rows = [(labels.label(indicator, k), v, records_url(indicator, scope, k))
                    for k, v in list((r.value or {}).items())[:10]] if isinstance(r.value, dict) else []
            n = notes.number(key, str(indicator.title), str(indicator.description), r.url)
            sections[-1].blocks.append(Chart(key, str(indicator.title), str(indicator.unit), n, rows))
            continue
        parts, pos = [], 0
        for m in PLACEHOLDER.finditer(line):
            parts.append(line[pos:m.start()])
            parts.append(fill(m.group(1)))
            pos = m.end()
        parts.append(line[pos:])
        sections[-1].blocks.append([p for p in parts if p != ""])
    computed = min((m for m in moments if m), default=None)
    return Review(title or default_template(org)[0], org, year, start, end, sections,
                  list(notes.by_key.values()), computed)


def _top(indicator, value: dict, n: int = 5) -> str:
    items = sorted(value.items(), key=lambda kv: -kv[1])[:n]
    if not items:
        return _("（暂无）")
    return "、".join(f"{labels.label(indicator, k)}（{labels.number(v)}{indicator.unit}）" for k, v in items)


def to_html(review: Review, *, standalone: bool = True) -> str:
    """The review as a self-contained HTML document (the PDF and `--format html` are made from it)."""
    return render_to_string("stats/review_print.html", {"review": review})


def to_pdf(review: Review) -> bytes:
    """The review as PDF; the CJK font (Noto Sans CJK / WenQuanYi) is embedded by WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=to_html(review)).write_pdf()


def to_docx(review: Review) -> bytes:
    """The review as .docx: headings, paragraphs with numbered notes, charts as tables, the notes at the end."""
    import io

    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Noto Serif CJK SC"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(review.title, level=0)
    doc.add_paragraph(_("统计期：%(s)s 至 %(e)s") % {"s": review.start, "e": review.end})
    for section in review.sections:
        if section.heading:
            doc.add_heading(section.heading, level=1)
        for block in section.blocks:
            if isinstance(block, Chart):
                doc.add_paragraph(f"{block.title}（{block.unit}）［{block.note}］")
                table = doc.add_table(rows=1, cols=2)
                table.style = "Table Grid"
                table.rows[0].cells[0].text, table.rows[0].cells[1].text = pgettext("indicator table heading", "项目"), _("数值")
                for lbl, value, _url in block.rows:
                    cells = table.add_row().cells
                    cells[0].text, cells[1].text = lbl, labels.number(value)
                continue
            para = doc.add_paragraph()
            for part in block:
                if isinstance(part, Figure):
                    para.add_run(part.text).bold = True
                    para.add_run(f"［{part.note}］").font.superscript = True
                else:
                    para.add_run(part)
    doc.add_heading(_("注释：指标定义"), level=1)
    for note in review.notes:
        doc.add_paragraph(f"［{note.note}］{note.title}：{note.description}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
