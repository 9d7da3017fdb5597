# This file is part of the property service suite. See README.md.
"""The phone's scan through trytond's WSGI application: JSON-RPC login as
the guard, then model.property.patrol.round.scan with the guard's session
(access checks as for any client request)."""
import base64
import datetime as dt

from werkzeug.test import Client

from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, _DBTestCase
from trytond.transaction import Transaction
from trytond.wsgi import app

PASSWORD = 'night-patrol-2026'


class PatrolRPCTestCase(_DBTestCase):
    "Test the patrol scan endpoint over JSON-RPC"
    module = 'property_security'

    def _setup(self):
        "Committed data: the WSGI request runs its own transaction"
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            Estate = pool.get('property.estate')
            Checkpoint = pool.get('property.patrol.checkpoint')
            Route = pool.get('property.patrol.route')
            Round = pool.get('property.patrol.round')
            ModelData = pool.get('ir.model.data')
            company = create_company()
            guards = {}
            estates = {}
            for code in ['A', 'B']:
                guard = create_employee(company, name=f"Guard {code}")
                estate, = Estate.create([{
                            'company': company.id, 'code': code,
                            'name': f"Estate {code}",
                            'staff': [('add', [guard.id])]}])
                checkpoint, = Checkpoint.create([{
                            'estate': estate.id, 'code': f'{code}-GATE',
                            'name': "Gate"}])
                route, = Route.create([{
                            'estate': estate.id, 'name': "Night",
                            'lines': [('create', [{
                                            'checkpoint': checkpoint.id}])],
                            }])
                start = dt.datetime.now() - dt.timedelta(minutes=2)
                round_, = Round.create([{
                            'estate': estate.id, 'route': route.id,
                            'guard': guard.id, 'planned_start': start,
                            'planned_end': start + dt.timedelta(hours=1)}])
                User.create([{
                            'name': f"Guard {code}", 'login': f'guard_{code}',
                            'password_hash': User.hash_password(PASSWORD),
                            'groups': [('add', [ModelData.get_id(
                                            'property_service',
                                            'group_property_guard')])],
                            'companies': [('add', [company.id])],
                            'company': company.id,
                            'employees': [('add', [guard.id])],
                            'employee': guard.id}])
                guards[code] = guard.id
                estates[code] = round_.id
            transaction.commit()
        return estates

    def _call(self, client, method, params, session=None):
        headers = {}
        if session:
            login, user_id, key = session
            token = base64.b64encode(
                f'{login}:{user_id}:{key}'.encode()).decode()
            headers['Authorization'] = f'Session {token}'
        response = client.post(
            f'/{DB_NAME}/rpc/', json={
                'id': 1, 'method': method, 'params': params},
            headers=headers)
        return response

    def _login(self, client, login):
        response = self._call(client, 'common.db.login',
            [login, {'password': PASSWORD}, 'en'])
        self.assertEqual(response.status_code, 200)
        user_id, key, _ = response.get_json()['result']
        return (login, user_id, key)

    def test_scan_with_guard_session(self):
        "A guard scans through JSON-RPC; another estate's round is refused"
        rounds = self._setup()
        client = Client(app)

        # no session: refused
        response = self._call(client, 'model.property.patrol.round.scan',
            ['A-GATE', None, {}])
        self.assertEqual(response.status_code, 401)

        session = self._login(client, 'guard_A')
        response = self._call(client, 'model.property.patrol.round.scan',
            ['A-GATE', None, {}], session=session)
        result = response.get_json()['result']
        self.assertEqual(
            (result['round'], result['status'], result['remaining']),
            (rounds['A'], 'ok', 0))

        # the round of estate B is out of the guard's reach
        response = self._call(client, 'model.property.patrol.round.scan',
            ['B-GATE', rounds['B'], {}], session=session)
        error = response.get_json()['error']
        self.assertEqual(error[0], 'UserError')
        self.assertIn("Estates of the staff member", error[1][0])

        # a context cannot fake the clock: private keys are dropped
        response = self._call(client, 'model.property.patrol.round.scan',
            ['A-GATE', rounds['A'], {
                    '_security_now': '2000-01-01T00:00:00'}],
            session=session)
        result = response.get_json()['result']
        self.assertEqual(result['status'], 'repeat')

        with Transaction().start(DB_NAME, 0):
            Scan = Pool().get('property.patrol.scan')
            scans = Scan.search([])
            self.assertEqual(len(scans), 2)
            self.assertTrue(all(s.at.year >= 2026 for s in scans))
            self.assertEqual(
                {s.employee.rec_name for s in scans}, {"Guard A"})


del _DBTestCase
