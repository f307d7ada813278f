// render/ansibleCfg.ts: the ansible.cfg kolla-ansible runs with on the deploy host.
import { strict as assert } from "assert";
import { renderAnsibleCfg } from "../render/ansibleCfg";
import { stackSettings } from "../tools/evaluate/stack";

describe("ansible.cfg", () => {
    it("turns host key checking on, against the pinned keys only, and pipelining on", () => {
        const cfg = renderAnsibleCfg(stackSettings("aio"));
        assert.match(cfg, /^\[defaults\]$/m);
        assert.match(cfg, /^host_key_checking = True$/m);
        assert.match(
            cfg,
            /^ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=\/opt\/openstack-aio\/known_hosts -o StrictHostKeyChecking=yes$/m,
        );
        assert.match(cfg, /^pipelining = True$/m);
        assert.match(cfg, /^forks = \d+$/m);
    });
});
