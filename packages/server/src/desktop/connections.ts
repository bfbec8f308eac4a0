/**
 * The default UiFlowConnectionResolver, until the connections store (issue #14) provides
 * `shared_uiflow` connections with their machine group and credentials: a connection name that is
 * a machine group's id or name in the environment targets that group, a machine's id or name that
 * machine. Such connections carry no credentials, so sessions run as the agent's own user.
 */
import type { Store } from '../store/index.js';
import type { UiFlowConnection, UiFlowConnectionResolver } from './types.js';

export function machineGroupResolver(store: Store): UiFlowConnectionResolver {
  return {
    async resolve(name, { environmentId }): Promise<UiFlowConnection | undefined> {
      const byId = await store.desktop.getMachineGroup(name);
      if (byId && byId.environmentId === environmentId) return { machineGroupId: byId.id };
      const byName = await store.desktop.findMachineGroup({ environmentId, name });
      if (byName) return { machineGroupId: byName.id };
      const groups = await store.desktop.listMachineGroups([environmentId]);
      const machines = await store.desktop.listMachines({ groupIds: groups.map((g) => g.id) });
      const machine =
        machines.find((m) => m.id === name) ?? machines.find((m) => m.name.toLowerCase() === name.toLowerCase());
      return machine ? { machineId: machine.id } : undefined;
    },
  };
}
