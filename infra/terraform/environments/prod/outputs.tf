output "dns_records" {
  description = "Create these records at your DNS provider (base.DOMAIN and base-api.DOMAIN); certificates follow."
  value       = module.cloud_run.dns_records
}

output "app_url" {
  description = "The app, once DNS is in place."
  value       = "https://${module.cloud_run.app_host}"
}

output "api_url" {
  description = "The API, once DNS is in place."
  value       = "https://${module.cloud_run.api_host}"
}

output "run_urls" {
  description = "The services' run.app URLs (work before DNS)."
  value       = { backend = module.cloud_run.backend_url, frontend = module.cloud_run.frontend_url }
}

output "image_repository" {
  description = "Push images here (Cloud Build's _REPOSITORY substitution)."
  value       = module.registry.repository_url
}

output "deployer_service_account" {
  description = "gcloud builds submit --service-account=projects/PROJECT/serviceAccounts/THIS."
  value       = module.iam.deployer_email
}

output "database_private_ip" {
  description = "Host for the database-url secret."
  value       = module.database.private_ip
}

output "database_connection_name" {
  description = "For gcloud sql and the Cloud SQL Auth Proxy."
  value       = module.database.connection_name
}

output "redis_host" {
  description = "Host for the redis-url secret."
  value       = module.redis.host
}

output "redis_instance" {
  description = "gcloud redis instances get-auth-string THIS --region REGION."
  value       = module.redis.instance_name
}

output "secret_rotation_topic" {
  description = "Pub/Sub topic with rotation reminders."
  value       = module.secrets.rotation_topic
}
