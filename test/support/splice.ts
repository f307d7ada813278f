// The splice the deploy host does (inventory-splice.sh), in TypeScript: the reference the tests hold the host
// script to, and how they build a full inventory for ansible-inventory. Not production code: only the host splices.
import { SERVICE_GROUPS_START } from "../../render/inventory";

/** Top groups + the shipped file's service groups. Throws when the shipped file has none. */
export function spliceInventory(top: string, shipped: string): string {
    const lines = shipped.split("\n");
    const start = lines.findIndex((l) => l.trim() === SERVICE_GROUPS_START);
    if (start < 0) throw new Error(`shipped inventory has no ${SERVICE_GROUPS_START} section`);
    return `${top.replace(/\n*$/, "\n")}\n${lines.slice(start).join("\n").replace(/\n*$/, "\n")}`;
}
