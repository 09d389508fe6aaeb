"""Commands that set the tool up or stand in for Autotask: config (profiles), doctor, emulator."""
