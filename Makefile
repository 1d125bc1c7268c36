.PHONY: help install run test lint eval train bench contract
help:   ## list targets
	@grep -E '^[a-z]+:.*##' Makefile | sed 's/:.*##/ —/'
install: ## create .venv and install everything
	bash scripts/install.sh '.[test]'
run:    ## install and serve on 127.0.0.1:8765
	bash scripts/serve.sh
test:   ## install, lint and run the whole test suite (what CI runs)
	bash scripts/test.sh
lint:   ## ruff
	.venv/bin/ruff check .
eval:   ## retrieval and answer quality: tune, heldout and dev side by side
	python3 eval/validate.py
	.venv/bin/bot eval-search
	.venv/bin/bot eval
train:  ## re-fit the learned parts on the tune split
	.venv/bin/bot train
bench:  ## latency, throughput, start-up and ingestion figures (run alone)
	.venv/bin/bot bench
contract: ## the HTTP contract check against a started bot
	.venv/bin/python ../shared/eval/contract.py --start
