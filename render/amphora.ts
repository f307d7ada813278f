// The Octavia amphora image: built with octavia's diskimage-create on the deploy host (or fetched over https and checked
// against its sha256), then uploaded into Glance by the deploy host itself and tagged only once Glance holds its bytes.
import { Settings } from "../config/settings";
import { kollaPaths, LOG_DIR, STATE_DIR } from "./paths";
import { renderScript, Script, scriptBody } from "./script";

export const OCTAVIA_REPO = "https://opendev.org/openstack/octavia";
/** octavia.conf amp_image_tag: kolla-ansible's octavia_amp_image_tag default (roles/octavia/defaults/main.yml). */
export const AMPHORA_TAG = "amphora";

/** diskimage-create's host tools on Ubuntu: the packages it checks for (diskimage-create.sh, the same at 2023.1-eom and
 *  18.0.0: qemu-utils, git, kpartx, debootstrap) plus diskimage-builder's bindep.txt and the venv it runs from. */
export const AMPHORA_HOST_PACKAGES = [
    "debootstrap",
    "qemu-utils",
    "git",
    "kpartx",
    "gdisk",
    "dosfstools",
    "binutils",
    "bzip2",
    "util-linux",
    "sudo",
    "curl",
    "uuid-runtime",
    "zstd",
    "procps",
    "inetutils-ping",
    "apt-transport-https",
    "lsb-release",
    "python3-venv",
] as const;

export function amphoraImageFile(settings: Settings): string {
    return `amphora-x64-haproxy-${settings.pins.amphora.octaviaRef}.qcow2`;
}

export function amphoraBuildScript(settings: Settings): Script {
    return renderScript(
        "amphora-build.sh",
        {
            OCTAVIA_REPO,
            OCTAVIA_REF: settings.pins.amphora.octaviaRef,
            AMPHORA_AGENT_COMMIT: settings.pins.amphora.amphoraAgentCommit,
            OCTAVIA_LIB_COMMIT: settings.pins.amphora.octaviaLibCommit,
            HOST_PACKAGES: AMPHORA_HOST_PACKAGES,
            UPPER_CONSTRAINTS: settings.pins.upperConstraints,
            UBUNTU_RELEASE: settings.pins.amphora.ubuntuRelease,
            IMAGE_FILE: amphoraImageFile(settings),
            IMAGES_DIR: kollaPaths(settings.release).imagesDir,
            LOG_DIR,
            CACHE_DIR: `${STATE_DIR}/cache`,
            // One per release, like the kolla-ansible venv: a release's hosts may run another Ubuntu (another Python).
            DIB_VENV: `${STATE_DIR}/dib-venv-${settings.release}`,
        },
        scriptBody("amphora-build.sh"),
    );
}

/** An amphora prebuilt elsewhere (amphoraSource url): downloaded over https, kept only if it hashes to the sha256 given. */
export function amphoraFetchScript(settings: Settings): Script {
    const { url, sha256 } = settings.amphora;
    if (url === undefined || sha256 === undefined)
        throw new Error(
            "amphoraSource is url but amphoraImageUrl or amphoraImageSha256 is not set",
        );
    return renderScript(
        "amphora-fetch.sh",
        { URL: url, SHA256: sha256, IMAGES_DIR: kollaPaths(settings.release).imagesDir },
        scriptBody("amphora-fetch.sh"),
    );
}

/** The Glance image of one amphora: its name carries the sha256 of its bytes. */
export function amphoraImageName(sha256: string): string {
    return `amphora-x64-haproxy-${sha256.slice(0, 12)}`;
}

/**
 * Uploads `file` (whose sha256 is `sha256`) into Glance from the deploy host as octavia, untagged and private, and tags
 * it `amphora` only once Glance's own checksums match the file's; deletes it on a mismatch (amphora-upload.sh).
 */
export function amphoraUploadScript(settings: Settings, file: string, sha256: string): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        "amphora-upload.sh",
        {
            VENV: p.venv,
            OPENRC: p.octaviaOpenrc,
            CA_CERTIFICATE: settings.enableTls ? p.caCertificate : "",
            FILE: file,
            SHA256: sha256,
            NAME: amphoraImageName(sha256),
            TAG: AMPHORA_TAG,
        },
        scriptBody("amphora-upload.sh"),
    );
}

/** Whether this stack builds the amphora itself (Octavia on, amphoraSource build). */
export const buildsAmphora = (settings: Settings): boolean =>
    settings.services.octavia && settings.amphora.source === "build";

/** The build (or fetch) script of this stack's amphora: it prints "<file> <sha256>" last. */
export function amphoraSourceScript(settings: Settings): Script {
    return buildsAmphora(settings) ? amphoraBuildScript(settings) : amphoraFetchScript(settings);
}
