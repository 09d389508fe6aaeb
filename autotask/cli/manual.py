"""The man pages' ENVIRONMENT and FILES sections, as data next to the code that reads them.

tools/gen_man.py renders these (with EXIT STATUS from :mod:`autotask.cli.exitcodes` and
EXAMPLES from each command) into every page; the drift test keeps the pages in step.
"""

from __future__ import annotations

__all__ = ["EMULATOR_ENVIRONMENT", "EMULATOR_FILES", "ENVIRONMENT", "FILES"]

ENVIRONMENT: tuple[tuple[str, str], ...] = (
    (
        "AUTOTASK_USERNAME",
        "the API user's username (a flag and a named profile win over these variables; the "
        "default profile loses to them)",
    ),
    ("AUTOTASK_INTEGRATION_CODE", "the API tracking identifier (never a command-line flag)"),
    ("AUTOTASK_SECRET", "the API user's secret (never a command-line flag)"),
    ("AUTOTASK_API_URL", "the zone URL (.../ATServicesRest/); without it the zone is discovered"),
    (
        "AUTOTASK_PROFILE",
        "the profile to use when --profile is not given; a named profile's values win over the "
        "AUTOTASK_* credential variables",
    ),
    ("AUTOTASK_ZONE_LOOKUP_URL", "where zone discovery asks (default: Autotask's global host)"),
    ("AUTOTASK_CACHE_DIR", "where discovered zones are cached (default: ~/.cache/autotask)"),
    ("XDG_CONFIG_HOME", "the config folder (default: ~/.config); profiles are in autotask/"),
    ("SSL_CERT_FILE, SSL_CERT_DIR", "CA certificates to verify TLS with (else a bundle probe)"),
    ("NO_COLOR", "when set and not empty, no colour on a terminal"),
    ("COLUMNS", "the width tables are fitted to when it cannot be read from the terminal"),
)

FILES: tuple[tuple[str, str], ...] = (
    (
        "$XDG_CONFIG_HOME/autotask/config.ini",
        "profiles, one INI section each (default ~/.config/autotask/config.ini); written with "
        "mode 0600 and refused when group or others have any permission on it",
    ),
    ("~/.cache/autotask/zones.json", "the zone cache (mode 0600, 24 hours per entry)"),
)

EMULATOR_ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("AUTOTASK_EMULATOR_USERNAME", "the username it accepts (default: emulator@example.com)"),
    ("AUTOTASK_EMULATOR_SECRET", "the secret it accepts (default: emulator-secret)"),
    (
        "AUTOTASK_EMULATOR_INTEGRATION_CODE",
        "the integration code it accepts (default: EMULATORINTEGRATIONCODE)",
    ),
)

EMULATOR_FILES: tuple[tuple[str, str], ...] = (
    ("--db FILE", "the sqlite3 file that keeps the data across restarts (default: in memory)"),
)
