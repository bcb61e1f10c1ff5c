"""The import mutation: an administrator's or IG officer's file in, the report of what it holds (and, after
a real run, the references given) out. Checks and writing are in service.py."""

from __future__ import annotations

from functools import partial

import strawberry

from server.access.actor import Act
from server.access.kinds import Kind
from server.api.mutation import mutate
from server.api.scalars import Info
from server.assessment.factors import load_catalogue
from server.caseimport import service as import_service
from server.caseimport.document import MAX_FAMILIES
from server.caseimport.service import ImportReport


@strawberry.type(name="CaseImportProblem", description="One problem in an import file.")
class CaseImportProblemType:
    row: int | None = strawberry.field(description="The family's position in the file, from 1; null for the file.")
    field: str = strawberry.field(description="Where in the family, e.g. 'assessments[2].assessedOn'.")
    message: str


@strawberry.type(name="CaseImportReference", description="An imported family's reference in each system.")
class CaseImportReferenceType:
    source_reference: str
    reference: str = strawberry.field(description="Its TAF reference.")


@strawberry.type(
    name="CaseImportReport",
    description="What an import file holds and, for a dry run, every problem in it; after a real run, the"
    " references the families were given.",
)
class CaseImportReportType:
    dry_run: bool
    imported: bool = strawberry.field(description="Whether the families were written (never on a dry run).")
    sha256: str = strawberry.field(description="The file's fingerprint: the same file is not imported twice.")
    families: int
    members: int
    team_members: int
    assessments: int
    ratings: int
    transitions: int
    services_received: int = strawberry.field(description="Services received (the families' section services).")
    problem_count: int
    problems: list[CaseImportProblemType] = strawberry.field(description="The first 1,000, in file order.")
    references: list[CaseImportReferenceType]

    @classmethod
    def from_report(cls, report: ImportReport) -> CaseImportReportType:
        return cls(
            dry_run=report.dry_run,
            imported=report.imported,
            sha256=report.sha256,
            families=report.families,
            members=report.members,
            team_members=report.team_members,
            assessments=report.assessments,
            ratings=report.ratings,
            transitions=report.transitions,
            services_received=report.sections.get("services", 0),
            problem_count=report.problem_count,
            problems=[CaseImportProblemType(row=p.row, field=p.field, message=p.message) for p in report.problems],
            references=[CaseImportReferenceType(source_reference=s, reference=r) for s, r in report.references],
        )


@strawberry.type(name="CaseImportLimits", description="The largest import file the service takes.")
class CaseImportLimitsType:
    max_bytes: int = strawberry.field(description="The most bytes a file may have (TAF_IMPORT_MAX_BYTES).")
    max_families: int = strawberry.field(description="The most families a file may hold.")


@strawberry.type
class CaseImportQuery:
    @strawberry.field(
        description="The largest file caseImport takes, so that a file can be checked before it is sent (a larger"
        " one is split into several). Administrators and IG officers, who may import."
    )
    def case_import_limits(self, info: Info) -> CaseImportLimitsType:
        info.context.access.require_outside_family(Act.create, Kind.case_import)
        return CaseImportLimitsType(max_bytes=info.context.settings.import_max_bytes, max_families=MAX_FAMILIES)


@strawberry.input(description="An import file's content (docs/IMPORT.md) and whether to only check it.")
class CaseImportInput:
    content: str = strawberry.field(description="The file, as text (JSON, format taf-import/1).")
    dry_run: bool = strawberry.field(description="Check the whole file and report every problem; write nothing.")


@strawberry.type
class CaseImportMutation:
    @strawberry.mutation(
        description="Import historic cases from another system: administrators and IG officers. Checked in full"
        " first; a real run writes the whole file or nothing (BAD_USER_INPUT naming the first problem's row and"
        " field). A file too large or not in the format is BAD_USER_INPUT on content; a file already imported"
        " is CONFLICT."
    )
    async def case_import(self, info: Info, input: CaseImportInput) -> CaseImportReportType:
        settings = info.context.settings
        report = await mutate(
            info,
            partial(
                import_service.import_cases,
                content=input.content,
                dry_run=input.dry_run,
                max_bytes=settings.import_max_bytes,
                catalogue=load_catalogue(settings.policies_dir),
            ),
            audit=_audit,
        )
        return CaseImportReportType.from_report(report)


def _audit(report: ImportReport) -> dict:
    """The import as one event: the file's fingerprint and what it brought, not its content."""
    counts = {"families": report.families, "assessments": report.assessments, "transitions": report.transitions}
    counts["servicesReceived"] = report.sections.get("services", 0)
    detail = {"dryRun": report.dry_run, "imported": report.imported, "sha256": report.sha256, **counts}
    if report.references:
        detail["references"] = [report.references[0][1], report.references[-1][1]]  # first and last given
    return detail
