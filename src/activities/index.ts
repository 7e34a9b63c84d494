/**
 * Every activity the certrot worker runs: the rotation's and the renewal sweep's, from one
 * set of dependencies. The worker registers `createAllActivities(deps)`; each workflow
 * proxies only the part it uses.
 */
import type { RotationActivities } from '../domain/activity-contract';
import type { InventoryActivities } from '../domain/renewal/inventory-contract';
import { createInventoryActivities, type InventoryDeps } from './inventory-activities';
import { createActivities, type ActivityDeps } from './rotation-activities';

export type AllActivityDeps = ActivityDeps & Partial<InventoryDeps>;
export type AllActivities = RotationActivities & InventoryActivities;

export function createAllActivities(deps: AllActivityDeps): AllActivities {
  return {
    ...createActivities(deps),
    ...createInventoryActivities({ ...deps, inventory: deps.inventory ?? null, alerts: deps.alerts ?? null }),
  };
}

export { createActivities } from './rotation-activities';
export type { ActivityDeps, ConfiguredOrg } from './rotation-activities';
export { createInventoryActivities, inventoryDepsFromConfig } from './inventory-activities';
export type { InventoryDeps } from './inventory-activities';
export type { InventoryActivities, OrgInventory, DriftFinding } from '../domain/renewal/inventory-contract';
