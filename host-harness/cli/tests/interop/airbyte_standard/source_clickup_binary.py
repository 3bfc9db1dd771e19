"""A shim that lets the Airbyte CDK's standard tests drive the `clickup-connector` executable.

The standard tests (`airbyte_cdk.test.standard_tests.SourceTestSuiteBase`) run a connector
in-process: they instantiate a Python `Source` and call its `spec`, `check`, `discover` and `read`
methods through `AirbyteEntrypoint`. This class is such a `Source` whose every method runs the
binary once (`$CLICKUP_CONNECTOR_BIN`, with the component in `$CLICKUP_CONNECTOR_WASM`) and turns
its stdout back into Airbyte messages. It adds nothing of its own:

- the config, catalog and state files the suite wrote are handed to the binary as they are (the
  paths, not a re-serialised copy), so the binary parses what the suite produced;
- every line the binary prints is parsed with the CDK's own `AirbyteMessageSerializer` (an
  invalid line fails the test), and yielded unchanged;
- a non-zero exit becomes an exception carrying the binary's TRACE error (or its stderr), as a
  failing Python connector raises.
"""

import json
import os
import subprocess
import tempfile
from typing import Any, Iterable, Iterator, List, Mapping, Optional

from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteMessageSerializer,
    ConnectorSpecification,
    FailureType,
    Type,
)
from airbyte_cdk.sources import Source
from airbyte_cdk.utils.traced_exception import AirbyteTracedException


def _binary() -> str:
    return os.environ["CLICKUP_CONNECTOR_BIN"]


def _parse(line: str) -> AirbyteMessage:
    return AirbyteMessageSerializer.load(json.loads(line))


class SourceClickupBinary(Source):
    """`spec`, `check`, `discover` and `read`, each one run of `clickup-connector`."""

    def __init__(self) -> None:
        self._config_path: Optional[str] = None
        self._spec: Optional[ConnectorSpecification] = None

    # The files the suite wrote: remembered as paths, passed to the binary untouched.

    def read_config(self, config_path: str) -> Mapping[str, Any]:
        self._config_path = config_path
        return super().read_config(config_path)

    def read_catalog(self, catalog_path: str) -> str:  # type: ignore[override]
        return catalog_path

    def read_state(self, state_path: Optional[str]) -> Optional[str]:  # type: ignore[override]
        return state_path

    def _config_file(self, config: Mapping[str, Any]) -> str:
        if self._config_path is not None:
            return self._config_path
        fd, path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(config, f)
        self._config_path = path
        return path

    def _run(self, args: List[str]) -> Iterator[AirbyteMessage]:
        """Runs the binary; yields its messages; raises on a non-zero exit."""
        process = subprocess.Popen(
            [_binary(), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        error: Optional[AirbyteMessage] = None
        assert process.stdout is not None
        for line in process.stdout:
            if not line.strip():
                continue
            message = _parse(line)
            if message.type == Type.TRACE and message.trace.error is not None:
                error = message
            yield message
        stderr = process.stderr.read() if process.stderr else ""
        code = process.wait()
        if code != 0:
            if error is not None:
                raise AirbyteTracedException(
                    message=error.trace.error.message,
                    internal_message=f"clickup-connector {args[0]} exited {code}",
                    failure_type=error.trace.error.failure_type,
                )
            raise AirbyteTracedException(
                message=stderr.strip()[-2000:] or f"clickup-connector {args[0]} failed",
                internal_message=f"clickup-connector {args[0]} exited {code}",
                failure_type=FailureType.config_error if code == 3 else FailureType.system_error,
            )

    def spec(self, logger: Any) -> ConnectorSpecification:
        if self._spec is None:
            specs = [m.spec for m in self._run(["spec"]) if m.type == Type.SPEC]
            assert len(specs) == 1, f"expected one SPEC message, got {len(specs)}"
            self._spec = specs[0]
        return self._spec

    def check(self, logger: Any, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        # A failed check prints a FAILED status and exits 3: the status is the answer.
        statuses: List[AirbyteConnectionStatus] = []
        try:
            for m in self._run(["check", "--config", self._config_file(config)]):
                if m.type == Type.CONNECTION_STATUS:
                    statuses.append(m.connectionStatus)
        except AirbyteTracedException:
            if not statuses:
                raise
        assert len(statuses) == 1, f"expected one CONNECTION_STATUS message, got {len(statuses)}"
        return statuses[0]

    def discover(self, logger: Any, config: Mapping[str, Any]) -> AirbyteCatalog:
        catalogs = [
            m.catalog
            for m in self._run(["discover", "--config", self._config_file(config)])
            if m.type == Type.CATALOG
        ]
        assert len(catalogs) == 1, f"expected one CATALOG message, got {len(catalogs)}"
        return catalogs[0]

    def read(
        self,
        logger: Any,
        config: Mapping[str, Any],
        catalog: Any,
        state: Optional[Any] = None,
    ) -> Iterable[AirbyteMessage]:
        args = ["read", "--config", self._config_file(config), "--catalog", str(catalog)]
        if state:
            args += ["--state", str(state)]
        yield from self._run(args)
