# This file is part of the property service suite. See README.md.
"""What the printed documents (bill notices, receipts, fee standards) share:
Chinese dates and amounts, the capital numerals of an amount (大写金额) and
the base report class.

The templates are HTML (report/*.html, Genshi markup) rendered by Tryton's
report engine and converted to PDF by WeasyPrint (``extension`` pdf): no
LibreOffice. They are written in Chinese: these are Chinese legal documents
(收据, 缴费通知单, 收费标准 公示) whatever the language of the user who prints
them, so they are not translatable."""
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from genshi.core import Markup

from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

DIGITS = '零壹贰叁肆伍陆柒捌玖'
SECTION_UNITS = ['', '万', '亿', '万亿']
_STYLE = Path(__file__).parent / 'report' / 'style.css'


def _section_words(section):
    "A number below 10,000 in capitals, zeros inside read once as 零"
    words, zero = '', False
    for power, unit in [(1000, '仟'), (100, '佰'), (10, '拾'), (1, '')]:
        digit = section // power % 10
        if not digit:
            zero = bool(words)
            continue
        if zero:
            words += '零'
            zero = False
        words += DIGITS[digit] + unit
    return words


def _integer_words(number):
    sections = []
    while number:
        number, section = divmod(number, 10000)
        sections.append(section)
    if len(sections) > len(SECTION_UNITS):
        raise ValueError(f"amount too large: {number}")
    words, zero = '', False
    for i in reversed(range(len(sections))):
        section = sections[i]
        if not section:
            # a whole section of zeros (…万0000…) is read as one 零 before
            # the next digit
            zero = bool(words)
            continue
        if words and (zero or section < 1000):
            words += '零'
        words += _section_words(section) + SECTION_UNITS[i]
        zero = False
    return words


def amount_in_words(amount):
    """The amount in Chinese capital numerals (大写金额) as written on
    receipts and cheques: 123.45 -> 壹佰贰拾叁元肆角伍分, 100 -> 壹佰元整,
    1005.20 -> 壹仟零伍元贰角整, 3.05 -> 叁元零伍分, 0.50 -> 伍角整.
    Tens are written 壹拾 (financial usage)."""
    amount = Decimal(amount).quantize(Decimal('0.01'), ROUND_HALF_UP)
    sign = '负' if amount < 0 else ''
    cents = int(abs(amount) * 100)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if not cents:
        return '零元整'
    words = ''
    if yuan:
        words += _integer_words(yuan) + '元'
    if jiao:
        words += DIGITS[jiao] + '角'
    elif fen and yuan:
        words += '零'
    if fen:
        words += DIGITS[fen] + '分'
    else:
        words += '整'
    return sign + words


def chinese_date(date):
    "2026年3月1日"
    if not date:
        return ''
    return f'{date.year}年{date.month}月{date.day}日'


def chinese_month(date):
    "2026年3月"
    if not date:
        return ''
    return f'{date.year}年{date.month}月'


class PropertyReport(Report):
    """A printed document of the property company in Chinese: the context
    gives the company, Chinese formats and the shared style sheet."""

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Lang = pool.get('ir.lang')
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        lang = Lang.get('zh_CN')
        company_id = Transaction().context.get('company')
        context['company'] = Company(company_id) if company_id else None
        context['style'] = Markup(_STYLE.read_text(encoding='utf-8'))
        context['zh_date'] = chinese_date
        context['zh_month'] = chinese_month
        context['in_words'] = amount_in_words

        def money(amount, currency):
            "¥1,234.50 (the currency's symbol and digits)"
            if amount is None:
                return ''
            return lang.currency(amount, currency, symbol=True, grouping=True)
        context['money'] = money

        def number(value, digits=2):
            """A quantity or a rate: at least 2 decimals, at most digits,
            no useless trailing zeros (2.8000 -> 2.80, 3.125 -> 3.125)"""
            if value is None:
                return ''
            value = Decimal(value)
            for d in range(2, digits + 1):
                if value == round(value, d):
                    digits = d
                    break
            return lang.format_number(value, digits=digits, grouping=True)
        context['number'] = number
        return context
