# Two commands for a fresh machine (see README.md):
#   make run    install, migrate the embedded database, load data, serve http://127.0.0.1:8000/
#   make test   install and run the whole test suite against PostgreSQL
.PHONY: run test install bench messages

run:
	./scripts/run.sh

test:
	./scripts/test.sh

install:
	./scripts/install.sh

messages:
	./scripts/install.sh && .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var && .venv/bin/python manage.py compilemessages --ignore=.venv
