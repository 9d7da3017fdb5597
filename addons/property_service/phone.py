# This file is part of the property service suite. See README.md.
"""Phone numbers typed by people: 138-0013-8000, +86 138 0013 8000 and
13800138000 are one number. The party module stores each number formatted
(``value``, ``+86 138 0013 8000``) and in E.164 (``value_compact``,
``+8613800138000``); these helpers bring typed text to the same form."""
import re

try:
    import phonenumbers
except ImportError:
    phonenumbers = None

DEFAULT_COUNTRY = 'CN'
_PHONE_CHARS = re.compile(r'^[+]?[0-9 ()\-.]{5,}$')


def normalize_phone(text, country=DEFAULT_COUNTRY):
    """E.164 form of a phone number typed in any common format, or None
    when the text is not a valid number."""
    text = (text or '').strip()
    if not text or not _PHONE_CHARS.match(text):
        return None
    if phonenumbers is None:
        return re.sub(r'[^0-9+]', '', text)
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164)


def same_phone(a, b, country=DEFAULT_COUNTRY):
    "Whether two typed numbers are the same number"
    a, b = normalize_phone(a, country), normalize_phone(b, country)
    return a is not None and a == b


def phone_search_operand(operator, operand):
    """The operand to search ``value_compact`` with when a search text is a
    phone number or a part of one (digits with spaces, dashes or +86), or
    None. A whole number gives its E.164 form, a part its digits."""
    if not isinstance(operand, str) or not operator.endswith('like'):
        return None
    text = operand.strip('%')
    if not text or not _PHONE_CHARS.match(text):
        return None
    compact = normalize_phone(text)
    if compact is None:
        compact = re.sub(r'[^0-9]', '', text)
        if len(compact) < 3:
            return None
    return f'%{compact}%'
