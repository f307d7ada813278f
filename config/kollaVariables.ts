// The variables kolla-ansible reads for each release, from config/kolla-variables/<release>.txt: its group_vars and role
// defaults, the keys its example globals.yml documents, and the defaults of ansible-collection-kolla's roles (each
// file's first line names its sources). kolla ignores a globals.yml key outside this list: a typo, or a variable of
// another release.
import * as fs from "fs";
import * as path from "path";
import { closest, distance } from "fastest-levenshtein";

const DIR = path.join(__dirname, "kolla-variables");
const cache = new Map<string, ReadonlySet<string>>();

/** The variable names kolla-ansible of `release` knows; empty for a release without a list. */
export function kollaVariables(release: string): ReadonlySet<string> {
    let known = cache.get(release);
    if (!known) {
        const file = path.join(DIR, `${release}.txt`);
        // Only a release-shaped name is looked up (checkSources reports an unsupported release on its own).
        const text =
            /^\d{4}\.\d$/.test(release) && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
        known = new Set(
            text
                .split("\n")
                .map((l) => l.trim())
                .filter((l) => l && !l.startsWith("#")),
        );
        cache.set(release, known);
    }
    return known;
}

/** The known name nearest to `name` (Levenshtein distance), or undefined when none is near. */
export function closestVariable(name: string, known: ReadonlySet<string>): string | undefined {
    if (known.size === 0) return undefined;
    const best = closest(name, [...known]);
    // Near: at most a third of the name changed (nova_compute_virt_typ → nova_compute_virt_type), not just any name.
    return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
