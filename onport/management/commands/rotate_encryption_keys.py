from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from onport.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the newest key of FIELD_ENCRYPTION_KEYS (run after prepending one)."

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = [field.name for field in model._meta.fields if isinstance(field, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            for pk in model.objects.values_list("pk", flat=True).iterator():
                with transaction.atomic():
                    # Loading decrypts with whichever listed key fits; saving encrypts with the newest.
                    instance = model.objects.select_for_update().only(*fields).get(pk=pk)
                    instance.save(update_fields=fields)
                count += 1
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
