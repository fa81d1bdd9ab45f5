// Directives of widely used third-party modules (Debian's nginx-extras, OpenResty and friends).
// They are not in the official reference; reporting them as unknown would bury real findings.
// Their contexts and arguments are not checked.

const NAMES = new Set<string>([
  // headers-more
  'more_set_headers', 'more_clear_headers', 'more_set_input_headers', 'more_clear_input_headers',
  // brotli
  'brotli', 'brotli_static', 'brotli_comp_level', 'brotli_types', 'brotli_buffers', 'brotli_min_length', 'brotli_window',
  // geoip2
  'geoip2', 'geoip2_proxy', 'geoip2_proxy_recursive',
  // echo
  'echo', 'echo_duplicate', 'echo_flush', 'echo_sleep', 'echo_blocking_sleep', 'echo_reset_timer', 'echo_read_request_body',
  'echo_location_async', 'echo_location', 'echo_subrequest_async', 'echo_subrequest', 'echo_foreach_split', 'echo_end',
  'echo_request_body', 'echo_exec', 'echo_status', 'echo_before_body', 'echo_after_body',
  // modsecurity
  'modsecurity', 'modsecurity_rules', 'modsecurity_rules_file', 'modsecurity_rules_remote', 'modsecurity_transaction_id',
  // cache purge, dav-ext, fancyindex, upload progress, subs filter, auth-pam, upstream fair, sticky
  'proxy_cache_purge', 'fastcgi_cache_purge', 'scgi_cache_purge', 'uwsgi_cache_purge', 'cache_purge_response_type',
  'dav_ext_methods', 'dav_ext_lock_zone', 'dav_ext_lock',
  'fancyindex', 'fancyindex_localtime', 'fancyindex_exact_size', 'fancyindex_header', 'fancyindex_footer', 'fancyindex_ignore',
  'fancyindex_hide_symlinks', 'fancyindex_css_href', 'fancyindex_time_format', 'fancyindex_name_length', 'fancyindex_default_sort',
  'fancyindex_directories_first', 'fancyindex_hide_parent_dir', 'fancyindex_show_path', 'fancyindex_show_dotfiles',
  'upload_progress', 'track_uploads', 'report_uploads', 'upload_progress_content_type', 'upload_progress_header',
  'upload_progress_json_output', 'upload_progress_template', 'upload_progress_java_output', 'upload_progress_jsonp_output',
  'subs_filter', 'subs_filter_types', 'subs_filter_bypass',
  'auth_pam', 'auth_pam_service_name', 'auth_pam_set_pam_env',
  'fair', 'upstream_fair_shm_size', 'sticky',
  // ndk / set-misc
  'set_by_lua', 'set_by_lua_file', 'set_by_lua_block', 'set_escape_uri', 'set_unescape_uri', 'set_quote_sql_str',
  'set_quote_pgsql_str', 'set_quote_json_str', 'set_if_empty', 'set_hashed_upstream', 'set_encode_base32', 'set_decode_base32',
  'set_encode_base64', 'set_decode_base64', 'set_encode_base64url', 'set_decode_base64url', 'set_encode_hex', 'set_decode_hex',
  'set_sha1', 'set_md5', 'set_hmac_sha1', 'set_hmac_sha256', 'set_random', 'set_secure_random_alphanum',
  'set_secure_random_lcalpha', 'set_rotate', 'set_local_today', 'set_formatted_gmt_time', 'set_formatted_local_time',
  'set_misc_base32_padding', 'set_base32_padding', 'set_base32_alphabet',
  // nchan, rtmp, vts, pagespeed, passenger, naxsi, testcookie, srcache, redis, memc
  'nchan_channel_id', 'nchan_publisher', 'nchan_subscriber', 'nchan_redis_url', 'nchan_use_redis', 'nchan_message_timeout',
  'nchan_message_buffer_length', 'nchan_pubsub', 'nchan_channel_group', 'nchan_store_messages', 'nchan_authorize_request',
  'rtmp', 'rtmp_auto_push', 'rtmp_stat', 'rtmp_stat_stylesheet', 'rtmp_control',
  'vhost_traffic_status', 'vhost_traffic_status_zone', 'vhost_traffic_status_display', 'vhost_traffic_status_display_format',
  'vhost_traffic_status_filter_by_host', 'vhost_traffic_status_filter_by_set_key',
  'pagespeed', 'passenger_enabled', 'passenger_root', 'passenger_ruby', 'passenger_app_env', 'passenger_user',
  'SecRulesEnabled', 'SecRulesDisabled', 'DeniedUrl', 'CheckRule', 'BasicRule', 'MainRule', 'LearningMode', 'LibInjectionSql', 'LibInjectionXss',
  'srcache_fetch', 'srcache_store', 'srcache_store_statuses', 'srcache_fetch_skip', 'srcache_store_skip', 'srcache_default_expire',
  'redis_pass', 'redis2_pass', 'redis2_query', 'redis2_raw_query', 'memc_pass', 'memc_cmds_allowed',
  'zip', 'vod', 'vod_mode', 'push_stream_channels_path', 'push_stream_shared_memory_size',
  'testcookie', 'testcookie_name', 'testcookie_secret', 'testcookie_session', 'testcookie_arg',
  'lua_code_cache', 'lua_package_path', 'lua_package_cpath', 'lua_shared_dict', 'lua_socket_log_errors',
  'access_log_bypass_if', 'sts', 'ssl_ct', 'ssl_ct_static_scts', 'http2_push_preload', 'njs_path',
  'form_input', 'form_input_multi', 'array_split', 'array_join', 'array_map', 'array_map_op',
  'xss_get', 'xss_callback_arg', 'rds_json', 'rds_json_ret', 'rds_csv', 'postgres_pass', 'postgres_query', 'postgres_server',
  'drizzle_pass', 'drizzle_query', 'drizzle_server', 'encrypted_session_key', 'encrypted_session_iv', 'set_encrypt_session',
  'set_decrypt_session', 'replace_filter', 'replace_filter_types', 'iconv', 'set_iconv', 'lua_need_request_body',
  'uninitialized_variable_warn', 'eval', 'eval_subrequest_in_memory', 'eval_buffer_size', 'auth_ldap', 'auth_ldap_servers',
  'ldap_server', 'js_content', 'perl_modules', 'perl_require', 'perl', 'perl_set',
]);

// Families named by a prefix: lua-nginx-module and stream-lua, OpenResty's many lua_* settings.
const PATTERNS = [/^[a-z_]+_by_lua(_block|_file)?$/, /^lua_[a-z_0-9]+$/, /^more_[a-z_]+$/, /^nchan_[a-z_]+$/, /^vod_[a-z_]+$/,
  /^rtmp_[a-z_]+$/, /^push_stream_[a-z_]+$/, /^passenger_[a-z_]+$/, /^pagespeed_[a-z_]+$/, /^vhost_traffic_status_[a-z_]+$/,
  /^fancyindex_[a-z_]+$/, /^brotli_[a-z_]+$/, /^ssl_ct_[a-z_]+$/, /^modsecurity_[a-z_]+$/, /^srcache_[a-z_]+$/];

const verdicts = new Map<string, boolean>();

export function isThirdPartyDirective(name: string): boolean {
  let v = verdicts.get(name);
  if (v === undefined) {
    v = NAMES.has(name) || PATTERNS.some((p) => p.test(name));
    if (verdicts.size < 20000) verdicts.set(name, v);
  }
  return v;
}
