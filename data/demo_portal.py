# This file is part of the property service suite. See README.md.
"""Demo portal accounts (run by data/demo.py): owner@example.com / owner
(an owner in 阳光花园), owner2@example.com / owner2 (an owner in 翠湖苑) and
tenant@example.com / tenant (a current tenant). Demo passwords only."""

MODULE = 'property_portal'
ACCOUNTS = [
    # email, password, estate code, role
    ('owner@example.com', 'owner', 'YGHY', 'owner'),
    ('owner2@example.com', 'owner2', 'CHY', 'owner'),
    ('tenant@example.com', 'tenant', 'YGHY', 'tenant'),
    ]


def populate(pool, args):
    WebUser = pool.get('web.user')
    Occupancy = pool.get('property.occupancy')
    counts = {'portal accounts': 0}
    if WebUser.search([('email', '=', ACCOUNTS[0][0])]):
        return {}
    taken = set()
    for email, password, estate, role in ACCOUNTS:
        # the first current occupant of that role, by unit code: stable
        for occupancy in Occupancy.search([
                    ('unit.estate.code', '=', estate),
                    ('role', '=', role),
                    ('current', '=', True),
                    ], order=[('unit.code', 'ASC'), ('id', 'ASC')]):
            if occupancy.party.id not in taken:
                break
        else:
            continue
        taken.add(occupancy.party.id)
        # the hash is set directly: these passwords are too short for the
        # password policy on purpose (demo only)
        WebUser.create([{
                    'email': email,
                    'email_valid': True,
                    'party': occupancy.party.id,
                    'password_hash': WebUser.hash_password(password),
                    }])
        counts['portal accounts'] += 1
    return counts
