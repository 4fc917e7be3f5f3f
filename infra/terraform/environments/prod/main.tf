# EAILI5 production on Google Cloud. Everything the deployment needs except secret values, DNS
# records at the registrar and the container images (Cloud Build). See docs/operations.md.

module "apis" {
  source     = "../../modules/apis"
  project_id = var.project_id
}

module "network" {
  source          = "../../modules/network"
  project_id      = var.project_id
  region          = var.region
  run_subnet_cidr = var.run_subnet_cidr
  depends_on      = [module.apis]
}

module "registry" {
  source        = "../../modules/registry"
  project_id    = var.project_id
  region        = var.region
  keep_versions = var.image_versions_kept
  depends_on    = [module.apis]
}

module "iam" {
  source          = "../../modules/iam"
  project_id      = var.project_id
  region          = var.region
  repository_name = module.registry.repository_name
  depends_on      = [module.apis]
}

module "secrets" {
  source          = "../../modules/secrets"
  project_id      = var.project_id
  accessor_member = module.iam.backend_member
  # The frontend reads only the public WalletConnect project id (for config.js).
  public_reader_member = module.iam.frontend_member
  rotation_start       = var.secret_rotation_start
  gmp_config           = file("${path.module}/gmp-config.yaml")
  depends_on           = [module.apis]
}

module "database" {
  source                   = "../../modules/database"
  project_id               = var.project_id
  region                   = var.region
  network_id               = module.network.private_network_id
  tier                     = var.db_tier
  max_connections          = var.db_max_connections
  disk_size_gb             = var.db_disk_size_gb
  disk_autoresize_limit_gb = var.db_disk_autoresize_limit_gb
  availability_type        = var.db_availability_type
  backup_start_time        = var.db_backup_start_time
  backup_retained_count    = var.db_backups_retained
  maintenance_day          = var.db_maintenance_day
  maintenance_hour         = var.db_maintenance_hour
  app_password             = var.db_app_password
  app_password_version     = var.db_app_password_version
}

# Plan fails when instances x workers x pools could exceed the database's connections.
module "connection_budget" {
  source                = "../../modules/connection_budget"
  backend_max_instances = var.backend_max_instances
  backend_env           = var.backend_env
  db_max_connections    = var.db_max_connections
}

module "redis" {
  source         = "../../modules/redis"
  project_id     = var.project_id
  region         = var.region
  network_id     = module.network.private_network_id
  memory_size_gb = var.redis_memory_size_gb
  tier           = var.redis_tier
}

module "cloud_run" {
  source                        = "../../modules/cloud_run"
  project_id                    = var.project_id
  region                        = var.region
  domain                        = var.domain
  network_name                  = module.network.network_name
  subnet_id                     = module.network.run_subnet_id
  backend_service_account       = module.iam.backend_email
  frontend_service_account      = module.iam.frontend_email
  backend_image                 = var.backend_image
  frontend_image                = var.frontend_image
  gmp_sidecar_image             = var.gmp_sidecar_image
  secret_ids                    = module.secrets.secret_ids
  backend_file_secrets          = var.backend_file_secrets
  gmp_config_secret             = module.secrets.gmp_config_secret_id
  backend_memory                = var.backend_memory
  backend_cpu                   = var.backend_cpu
  backend_min_instances         = var.backend_min_instances
  backend_max_instances         = var.backend_max_instances
  backend_concurrency           = var.backend_concurrency
  backend_timeout_seconds       = var.backend_timeout_seconds
  backend_env                   = var.backend_env
  frontend_memory               = var.frontend_memory
  frontend_cpu                  = var.frontend_cpu
  frontend_min_instances        = var.frontend_min_instances
  frontend_max_instances        = var.frontend_max_instances
  frontend_concurrency          = var.frontend_concurrency
  farcaster_account_association = var.farcaster_account_association
  frontend_connect_src_extra    = var.frontend_connect_src_extra
  depends_on                    = [module.database, module.redis]
}

module "monitoring" {
  source                       = "../../modules/monitoring"
  project_id                   = var.project_id
  app_host                     = module.cloud_run.app_host
  api_host                     = module.cloud_run.api_host
  backend_service              = module.cloud_run.backend_service
  frontend_service             = module.cloud_run.frontend_service
  notification_channels        = var.notification_channels
  error_ratio_threshold        = var.alert_error_ratio
  error_ratio_duration_seconds = var.alert_error_ratio_seconds
  latency_p95_threshold_ms     = var.alert_latency_p95_ms
  latency_duration_seconds     = var.alert_latency_seconds
  log_retention_days           = var.log_retention_days
  depends_on                   = [module.apis]
}
