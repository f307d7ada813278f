// The docs' tables that restate code are generated from it (tools/docs.ts) and committed as generated.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PAGES, pinsTable, regenerate } from "../tools/docs";
import { RELEASES, SLURP_PATH } from "../config/releases";

const ROOT = path.join(__dirname, "..");

describe("docs: generated tables", () => {
    it("every committed page's generated blocks are what the code says now (npm run docs)", () => {
        for (const page of PAGES) {
            const text = fs.readFileSync(path.join(ROOT, page), "utf8");
            assert.ok(text.includes("<!-- generated:pins -->"), `${page} has the pins block`);
            assert.equal(regenerate(text), text, `${page} is stale: run npm run docs`);
        }
    });

    it("the pins table has a row per release with its kolla-ansible, collection ref and Docker pin", () => {
        const table = pinsTable().split("\n");
        assert.equal(table.length, 2 + SLURP_PATH.length);
        for (const [i, series] of SLURP_PATH.entries()) {
            const row = table[2 + i];
            const r = RELEASES[series];
            assert.ok(row.startsWith(`| ${series} | `), row);
            assert.ok(row.includes(`\`${r.kollaCollection.ref}\``), row);
            assert.ok(row.includes(`\`${r.dockerAptPin}\``), row);
            assert.ok(row.includes(`octavia \`${r.amphora.octaviaRef}\``), row);
        }
        // A stale block is replaced, text around it kept.
        const stale = "a\n<!-- generated:pins -->\nold\n<!-- /generated:pins -->\nb\n";
        assert.equal(
            regenerate(stale),
            `a\n<!-- generated:pins -->\n${pinsTable()}\n<!-- /generated:pins -->\nb\n`,
        );
    });
});
