// The consensus-replicated design as the simulator's view-server machinery
// sees it (../viewserver/simcluster.ts): three replicas instead of one view
// server, a nemesis that finds the Raft leader, and a longer warm-up (an
// election, then a new leader's dead interval, before the first view).
import type { SimNetwork } from '../runtime/simnet.ts';
import { NO_VIEW, type View } from '../viewserver/config.ts';
import type { DesignOptions } from '../viewserver/roles.ts';
import type { SimDesign } from '../viewserver/simcluster.ts';
import { VIEW_SERVICE_REPLICAS } from './config.ts';
import type { RaftViewService } from './replica.ts';
import { makeRoles } from './roles.ts';

const running = (net: SimNetwork) => VIEW_SERVICE_REPLICAS.filter((v) => net.alive(v)).map((v) => ({ id: v, replica: net.node<RaftViewService>(v) }));

export function raftDesign(options: DesignOptions = {}): SimDesign {
  return {
    viewServers: VIEW_SERVICE_REPLICAS,
    roles: makeRoles(options),
    // The newest committed view any running replica has applied.
    currentView: (net): View => running(net).reduce<View>((best, r) => (r.replica.view.viewnum > best.viewnum ? r.replica.view : best), NO_VIEW),
    viewServiceLeader: (net) => {
      const leaders = running(net).filter((r) => r.replica.isLeader);
      return leaders.sort((a, b) => b.replica.term - a.replica.term)[0]?.id ?? null;
    },
    warmupMs: 3000,
  };
}
