"""The one queued task: run a Job by id. Everything the job needs is on its row (jobs.models)."""

from django_tasks import task


@task()
def job_task(job_id):
    # Deferred: jobs.services imports this module to enqueue.
    from jobs.services import job_run

    job_run(job_id)
