import type { HubSettings, MeetingSchedule, Operator, PartnerFile, Policy, Route } from './schema.ts';

export interface Partner extends PartnerFile {
  adapter: string;
  /** Armoured OpenPGP public keys, read from the files the configuration names, with their periods. */
  pgpKeys: { armored: string; validFrom?: string; validUntil?: string }[];
}

/** The validated configuration the hub runs with: plain data, loaded once. */
export interface HubConfig {
  hub: HubSettings;
  chair: string;
  operators: Operator[];
  meetings: MeetingSchedule;
  routes: Route[];
  partners: Partner[];
  policies: Policy[];
}
