"""Notification moves here from approvals with its tables and rows: this only tells Django
that the model is now notifications' (the tables are approvals 0003's, renamed by 0002)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('approvals', '0006_notification_revoked'),
        ('registry', '0002_registry_revision'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=120, unique=True)),
                ('kind', models.CharField(choices=[('request_event', 'Request update'), ('expiry_warning', 'Approval expires soon'), ('expired', 'Approval expired'), ('revoked', 'Approval revoked'), ('overdue', 'Review overdue'), ('escalated', 'Overdue review escalated'), ('review_cycle', 'Registry review')], max_length=20)),
                ('subject', models.CharField(max_length=200)),
                ('body', models.TextField()),
                ('link', models.CharField(blank=True, help_text='A path in the portal.', max_length=300)),
                ('to_chat', models.BooleanField(default=False, help_text='Also posted to the chat webhook.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('mailed_at', models.DateTimeField(blank=True, null=True)),
                ('posted_at', models.DateTimeField(blank=True, null=True)),
                ('approval', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='notifications', to='registry.approval')),
                ('recipients', models.ManyToManyField(blank=True, related_name='mcp_notifications', to=settings.AUTH_USER_MODEL)),
                ('request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='notifications', to='approvals.request')),
            ],
            options={
                'db_table': 'approvals_notification',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('mailed_at__isnull', True)), fields=['created_at'], name='notification_unmailed'), models.Index(condition=models.Q(('posted_at__isnull', True), ('to_chat', True)), fields=['created_at'], name='notification_unposted')],
            },
        ),
        ]),
    ]
