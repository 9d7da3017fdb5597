#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""PDF benchmark: how long Tryton's report engine + WeasyPrint take to print
bill notices (缴费通知单, report ``property.billing.bill``).

    .venv/bin/python bench/pdf_bench.py --bills 100

It activates property_billing in a throwaway SQLite database (the test
framework's, cached like the tests), sets up the company of the billing
tests (阳光花园, 3 fees) with --bills units and owners, bills March 2026
(one posted bill per unit), then prints

1. each bill alone (what a clerk or the owner portal does): ms per PDF;
2. all the bills in one PDF (one page each, mass printing): ms per page.

It checks every PDF starts with %PDF and names its bill number.
"""
import argparse
import datetime as dt
import io
import os
import sys
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--bills', type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
    os.environ.setdefault('DB_NAME', ':memory:')
    os.environ.setdefault(
        'DB_CACHE', os.path.join(ROOT, 'var', 'bench-cache'))
    os.environ.pop('TRYTOND_CONFIG', None)
    os.makedirs(os.environ['DB_CACHE'], exist_ok=True)

    import pypdf

    from trytond.tests.test_tryton import activate_module, with_transaction
    activate_module(['property_billing'])

    @with_transaction()
    def run():
        from trytond.modules.property_billing.tests import test_billing
        from trytond.pool import Pool
        pool = Pool()
        Unit = pool.get('property.unit')
        Party = pool.get('party.party')
        Occupancy = pool.get('property.occupancy')
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        Report = pool.get('property.billing.bill', type='report')

        t0 = time.perf_counter()
        data = test_billing.BillingTestCase._setup(None)
        building, = data['estate'].buildings
        extra = max(args.bills - 3, 0)  # the set-up bills 3 already
        units = Unit.create([{
                    'building': building.id, 'number': f'{1000 + i}',
                    'building_area': Decimal('89.50')}
                for i in range(extra)])
        owners = Party.create([{
                    'name': f'业主{i:04d}', 'addresses': [('create', [{}])]}
                for i in range(extra)])
        Occupancy.create([{
                    'unit': u.id, 'party': p.id, 'role': 'owner',
                    'share': Decimal(100), 'start_date': dt.date(2020, 1, 1)}
                for u, p in zip(units, owners)])
        run = test_billing.BillingTestCase._run(None, data)
        Run.bill([run])
        invoices = Invoice.search([], order=[('id', 'ASC')])[:args.bills]
        print(f"set-up and billing of {len(invoices)} bills: "
            f"{time.perf_counter() - t0:.1f} s", flush=True)

        # time spent in WeasyPrint (HTML -> PDF) apart from the rest
        # (records read, template rendered)
        convert_times = []
        convert = Report.convert.__func__

        def timed_convert(cls, *a, **kw):
            start = time.perf_counter()
            try:
                return convert(cls, *a, **kw)
            finally:
                convert_times.append(time.perf_counter() - start)
        Report.convert = classmethod(timed_convert)

        # warm-up: template parse and cache, fonts loaded by WeasyPrint
        Report.execute([invoices[0].id], {})
        convert_times.clear()
        times = []
        size = 0
        for invoice in invoices:
            start = time.perf_counter()
            ext, content, _, _ = Report.execute([invoice.id], {})
            times.append(time.perf_counter() - start)
            content = bytes(content)
            assert ext == 'pdf' and content.startswith(b'%PDF')
            text = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
            assert invoice.number in text, invoice.number
            size += len(content)
        times.sort()
        print(f"one bill per PDF: {len(times)} PDFs in {sum(times):.2f} s, "
            f"mean {1000 * sum(times) / len(times):.0f} ms, "
            f"median {1000 * times[len(times) // 2]:.0f} ms, "
            f"max {1000 * times[-1]:.0f} ms, "
            f"mean size {size / len(times) / 1024:.0f} KiB; of which "
            f"WeasyPrint mean {1000 * sum(convert_times) / len(times):.0f} ms")
        convert_times.clear()

        start = time.perf_counter()
        ext, content, _, _ = Report.execute([i.id for i in invoices], {})
        elapsed = time.perf_counter() - start
        pages = len(pypdf.PdfReader(io.BytesIO(bytes(content))).pages)
        assert pages == len(invoices), pages
        print(f"all bills in one PDF: {pages} pages in {elapsed:.2f} s, "
            f"{1000 * elapsed / pages:.0f} ms per page, "
            f"{len(content) / 1024:.0f} KiB; of which WeasyPrint "
            f"{sum(convert_times):.2f} s")
    run()


if __name__ == '__main__':
    sys.exit(main())
