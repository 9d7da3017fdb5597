"""The menu entries of our modules that each login sees, as JSON.

    python role_menus.py <database> <login>[,<login> ...]

Asks the server what sao's menu would show: ir.ui.menu searched as each
user with access checks on (menus of other groups and menus whose window's
model the user cannot read are left out, as for the client), keeping the
entries with an action whose XML id belongs to one of our modules (module
name starting with property_). Prints {login: [{id, name, xml_id,
action}]} on stdout, names in the user's language. TRYTOND_CONFIG gives the
configuration.
"""
import json
import os
import sys


def main(database, logins):
    from trytond import config
    config.update_etc(os.environ['TRYTOND_CONFIG'])
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(database)
    pool.init()
    result = {}
    with Transaction().start(database, 0, readonly=True):
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        xml_ids = {d.db_id: f'{d.module}.{d.fs_id}' for d in ModelData.search([
                    ('model', '=', 'ir.ui.menu'),
                    ('module', 'like', 'property_%'),
                    ])}
        users = {u.login: u.id for u in User.search(
                [('login', 'in', logins)])}
    missing = sorted(set(logins) - set(users))
    if missing:
        sys.exit(f'no user with the login {", ".join(missing)} in {database}')
    for login in logins:
        with Transaction().start(database, users[login], readonly=True):
            User = pool.get('res.user')
            context = User.get_preferences(context_only=True)
        context['_check_access'] = True
        with Transaction().start(database, users[login], readonly=True,
                context=context):
            Menu = pool.get('ir.ui.menu')
            menus = Menu.search([('id', 'in', list(xml_ids))],
                order=[('id', 'ASC')])
            result[login] = [{
                    'id': m.id,
                    'name': m.complete_name,
                    'xml_id': xml_ids[m.id],
                    'action': m.action.type if m.action else None,
                    } for m in menus if m.action]
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2].split(','))
