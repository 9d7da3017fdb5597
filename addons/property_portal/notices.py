# This file is part of the property service suite. See README.md.
"""Notices (通告/公示) in the owner portal: the published, unexpired notices
of the estates (and buildings) where the owner is a current occupant.
Routes run as the superuser: the filter below is the only thing standing
between an owner and another estate's notices, drafts or withdrawn ones."""
from http import HTTPStatus
from urllib.parse import quote

from werkzeug.exceptions import abort

from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.wsgi import app

from .routes import _, portal

# what a browser may open inline; anything else is downloaded
INLINE_TYPES = {
    'pdf': 'application/pdf',
    'png': 'image/png',
    'jpg': 'image/jpeg',
    'jpeg': 'image/jpeg',
    }


def my_notices(page, domain=None, limit=None):
    "Visible notices of the estates and buildings the owner lives in now"
    Notice = page.pool.get('property.notice')
    units = page.units()
    if not units:
        return []
    estates = sorted({u.estate.id for u in units})
    buildings = sorted({u.building.id for u in units})
    return Notice.search([
            ('estate', 'in', estates),
            ('visible', '=', True),
            ['OR',
                ('buildings', '=', None),
                ('buildings', 'in', buildings),
                ],
            *(domain or []),
            ], order=[('publish_date', 'DESC'), ('id', 'DESC')], limit=limit)


def my_notice(page, notice_id):
    notices = my_notices(page, [('id', '=', notice_id)])
    if not notices:
        abort(HTTPStatus.NOT_FOUND)
    return notices[0]


def attachments_of(page, notice):
    Attachment = page.pool.get('ir.attachment')
    return Attachment.search([
            ('resource', '=', str(notice)),
            ('type', '=', 'data'),
            ], order=[('name', 'ASC'), ('id', 'ASC')])


def notice_data(page, notice, attachments=None):
    data = {
        'id': notice.id,
        'title': notice.title,
        'category': notice.category,
        'category_label': page.selection(
            'property.notice', 'category', notice.category),
        'estate': notice.estate.name,
        'buildings': [b.name for b in notice.buildings],
        'publish_date': notice.publish_date,
        'expiry_date': notice.expiry_date,
        }
    if attachments is not None:
        data['body'] = notice.body
        data['attachments'] = [{'id': a.id, 'name': a.name,
                'url': page.url(
                    'notices/%d/attachments/%d' % (notice.id, a.id))}
            for a in attachments]
    return data


@app.route('/<database_name>/portal/notices', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def notices(page):
    return page.render('notices.html', title=_('notices_title'),
        notices=my_notices(page))


@app.route('/<database_name>/portal/notices/<int:notice_id>', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def notice_detail(page, notice_id):
    notice = my_notice(page, notice_id)
    return page.render('notice_detail.html', title=notice.title,
        notice=notice, attachments=attachments_of(page, notice))


@app.route('/<database_name>/portal/notices/<int:notice_id>/attachments/'
    '<int:attachment_id>', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def notice_attachment(page, notice_id, attachment_id):
    notice = my_notice(page, notice_id)
    attachment = next((a for a in attachments_of(page, notice)
            if a.id == attachment_id), None)
    if attachment is None:
        abort(HTTPStatus.NOT_FOUND)
    extension = (attachment.name or '').rsplit('.', 1)[-1].lower()
    content_type = INLINE_TYPES.get(extension, 'application/octet-stream')
    response = page.secure(Response(attachment.data or b'',
            content_type=content_type))
    # inline only for the types above; nosniff (secure) keeps the browser
    # from guessing anything else into HTML
    disposition = 'inline' if extension in INLINE_TYPES else 'attachment'
    response.headers['Content-Disposition'] = (
        f"{disposition}; filename*=UTF-8''{quote(attachment.name or '')}")
    response.headers['Cache-Control'] = 'private, max-age=3600'
    return response


@app.route('/<database_name>/portal/api/notices', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_notices(page):
    return page.json([notice_data(page, n) for n in my_notices(page)])


@app.route('/<database_name>/portal/api/notices/<int:notice_id>',
    methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_notice(page, notice_id):
    notice = my_notice(page, notice_id)
    return page.json(notice_data(page, notice, attachments_of(page, notice)))
