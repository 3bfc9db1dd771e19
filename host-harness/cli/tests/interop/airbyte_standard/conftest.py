"""Registers the Airbyte CDK's standard-test hooks (one `scenario` per config of
acceptance-test-config.yml)."""

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]
