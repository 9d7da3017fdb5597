#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Import buildings, units and owners from a CSV file into an estate.

    python data/import_units.py --database demo --estate YGHY file.csv

The same import as the "Import Units" wizard (property.unit.import): every
row is checked first; one bad row and nothing is imported. The errors are
printed (in the --language given, Chinese by default) with their line
numbers and the exit status is 1.

Columns: building_code,building_name,entrance,floor,number,building_area,
usable_area,usage,owner_name,owner_phone,owner_since (see
data/sample_units.csv).
"""
import argparse
import os
import sys


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0])
    parser.add_argument('--database', '-d', default='demo')
    parser.add_argument('--estate', required=True,
        help="code of the estate, e.g. YGHY")
    parser.add_argument('--language', default='zh_CN',
        help="language of the messages (default zh_CN)")
    parser.add_argument('file', help="CSV file (UTF-8)")
    args = parser.parse_args()

    with open(args.file, 'rb') as fp:
        data = fp.read()

    from trytond import config
    if os.environ.get('TRYTOND_CONFIG'):
        config.update_etc(os.environ['TRYTOND_CONFIG'])
    from trytond.exceptions import UserError
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    pool = Pool(args.database)
    pool.init()

    context = {'language': args.language}
    try:
        # Any exception leaves the with block: the transaction is rolled back
        with Transaction().start(args.database, 0, context=context):
            Estate = pool.get('property.estate')
            UnitImport = pool.get('property.unit.import', type='wizard')
            estates = Estate.search([('code', '=', args.estate)])
            if len(estates) != 1:
                print("import: no estate with code %r (%s)" % (
                        args.estate, ', '.join(
                            e.code for e in Estate.search([]))),
                    file=sys.stderr)
                return 1
            estate, = estates
            label = '%s (%s)' % (estate.name, estate.code)
            counts = UnitImport.import_csv(estate, data)
    except UserError as exception:
        print("import: %s" % exception.message, file=sys.stderr)
        if exception.description:
            print(exception.description, file=sys.stderr)
        return 1
    print("import: %s <- %s: %d units, %d new buildings, "
        "%d owners, %d new parties" % (
            label, args.file, counts['units'],
            counts['buildings'], counts['owners'], counts['parties']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
