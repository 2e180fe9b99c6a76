"""The administrator's expert pool view (专家库管理): pool table, status changes, CSV, specialties."""
