"""The Airbyte CDK's standard source tests, run against the `clickup-connector` binary through
the shim in `source_clickup_binary.py`."""

from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

from source_clickup_binary import SourceClickupBinary


class TestClickupBinary(SourceTestSuiteBase):
    """Every test of `SourceTestSuiteBase` (spec, check, discover, basic read, bad catalog,
    config matches spec), with the binary as the connector."""

    connector = SourceClickupBinary
