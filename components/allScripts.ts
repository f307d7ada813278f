// Every script a remote command runs, for review (`npm run render`) and for the shellcheck test.
import { Settings } from "../config/settings";
import { renderedScripts as amphora } from "./amphora";
import { renderedScripts as deployHost } from "./deployHost";
import { renderedScripts as dockerHost } from "./dockerHost";
import { renderedScripts as imageMirror } from "./imageMirror";
import { renderedScripts as kollaDeployment } from "./kollaDeployment";
import { Script } from "./script";
import { renderedScripts as targetHosts } from "./targetHosts";

export function allScripts(settings: Settings): Script[] {
    return [dockerHost, imageMirror, targetHosts, deployHost, kollaDeployment, amphora].flatMap((f) => f(settings));
}
