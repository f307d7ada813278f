// What parseSettings says of a stack's values: the problems it reports at once (SettingsError), for the tests that
// check each problem names its key and its fix.
import { strict as assert } from "assert";
import { parseSettings, SettingsError } from "../../config/settings";

/** The problems parseSettings reports; none when it accepts the values. Any other error is rethrown. */
export function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        parseSettings(raw);
    } catch (e) {
        assert.ok(e instanceof SettingsError, `expected SettingsError, got ${String(e)}`);
        return [...e.problems];
    }
    return [];
}

/** The problems of values parseSettings must reject: fails when it accepts them. */
export function rejectionOf(raw: Record<string, unknown>): string[] {
    const problems = problemsOf(raw);
    if (problems.length === 0) assert.fail("expected the settings to be rejected");
    return problems;
}
