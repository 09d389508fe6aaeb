"""Where the tests find their inputs.

The real recorded payloads are copied into the repository (``tests/fixtures/real/``, from
../shared/fixtures/real/, unchanged) so a clean clone tests itself anywhere. The Swagger is NOT
copied (it must never enter the project): checks that re-derive our tables from it look for it
beside the clone and are skipped, saying why, where it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "real"
SHARED = ROOT.parent / "shared"


def _swagger() -> Path | None:
    candidates = [
        os.environ.get("AUTOTASK_SWAGGER", ""),
        str(SHARED / "autotask-swagger-v1.json"),
        "/work/shared/autotask-swagger-v1.json",
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


SWAGGER = _swagger()
SWAGGER_MISSING = "the Swagger (../shared/autotask-swagger-v1.json or $AUTOTASK_SWAGGER) is absent"
