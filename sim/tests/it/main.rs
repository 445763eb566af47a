//! Integration tests: real HTTP against `Sim::start`.

mod common;
mod schema;

mod access_list;
mod authz;
mod binary;
mod clusters;
mod contract;
mod control;
mod dataplane;
mod digest;
mod faults;
mod oauth;
mod paging;
mod rate_limit;
mod seed;
mod users;
