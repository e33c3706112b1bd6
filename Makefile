# Commands for a fresh machine (see README.md):
#   make run    install, migrate the embedded database, load data, serve http://127.0.0.1:8000/
#   make test   install and run the whole test suite against PostgreSQL
#   make bench  every benchmark on PostgreSQL, figures into benchmarks/results/ (benchmarks/README.md)
.PHONY: run test install bench messages

run:
	./scripts/run.sh

test:
	./scripts/test.sh

bench:
	./scripts/install.sh
	.venv/bin/python -c 'import locust' 2>/dev/null || .venv/bin/python -m pip install --quiet -c requirements.lock -e ".[bench]"
	.venv/bin/python benchmarks/run_all.py $(BENCH_ARGS)

install:
	./scripts/install.sh

messages:
	./scripts/install.sh && .venv/bin/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=node_modules && .venv/bin/python manage.py compilemessages --ignore=.venv
