"""Demo data: a believable small local area (Northbridge), for development only; README lists the accounts.

`load.load_demo_data` loads it once: the agencies and staff (`area`), the families and their teams
(`families`), the data-sharing agreements between the agencies (`agreements`), the Carter family's
consent-based sharing (`sharing`), the shared plan, meetings, assessments and closed families (`plan`), the
family portal (`portal`) and a family past its retention date (`retention`)."""
