from celery import shared_task

from . import services


@shared_task(soft_time_limit=600, time_limit=660)
def prepare_renditions(page_id: int) -> int:
    return services.renditions_prepare(page_id=page_id)
