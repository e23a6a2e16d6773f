//! `pharmacrm.v1.DrugService`: categories, container units, drugs, Excel import.

use std::sync::Arc;

use pharmacrm_shared::pb::{self, drug_service_server::DrugService};
use tonic::{Request, Response, Status};

use crate::access;
use crate::auth::Session;
use crate::convert::drugs::CategoryEdit;
use crate::convert::{self, Update, id};
use crate::db::models::{container_unit, drug, drug_category};
use crate::drug_import;
use crate::state::AppState;

/// The DrugService implementation.
pub struct DrugApi {
    state: Arc<AppState>,
}

impl DrugApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        DrugApi { state }
    }
}

type Reply<T> = Result<Response<T>, Status>;

/// A saved drug with its warnings; without `drug.cost.read` neither the purchase price
/// nor the warnings that compare with it.
fn drug_response(
    (view, warnings): (drug::DrugView, Vec<drug::Warning>),
    show_cost: bool,
) -> pb::DrugResponse {
    pb::DrugResponse {
        drug: Some(convert::drugs::drug(view, show_cost)),
        warnings: if show_cost {
            warnings.into_iter().map(Into::into).collect()
        } else {
            Vec::new()
        },
    }
}

/// Whether the caller sees purchase prices.
fn shows_cost(session: &Session) -> bool {
    access::may_read_cost(&session.grants())
}

#[tonic::async_trait]
impl DrugService for DrugApi {
    async fn list_categories(&self, _request: Request<()>) -> Reply<pb::ListCategoriesResponse> {
        let rows = self.state.db.run(drug_category::list).await?;
        Ok(Response::new(pb::ListCategoriesResponse {
            categories: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn create_category(
        &self,
        request: Request<pb::CreateCategoryRequest>,
    ) -> Reply<pb::Category> {
        let session = Session::of(&request)?;
        let (name, parent_id) = convert::drugs::new_category(request.into_inner())?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                drug_category::create(conn, ctx, &name, parent_id)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn update_category(
        &self,
        request: Request<pb::UpdateCategoryRequest>,
    ) -> Reply<pb::Category> {
        let session = Session::of(&request)?;
        let Update {
            id: category_id,
            version,
            input:
                CategoryEdit {
                    name,
                    parent_id,
                    sort_order,
                },
        } = convert::drugs::update_category(request.into_inner())?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                drug_category::update(
                    conn,
                    ctx,
                    category_id,
                    version,
                    &name,
                    parent_id,
                    sort_order,
                )
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn delete_category(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        let session = Session::of(&request)?;
        let pb::DeleteRequest {
            id: category_id,
            version,
        } = request.into_inner();
        let category_id = id("id", category_id)?;
        self.state
            .write(session, move |conn, ctx| {
                drug_category::delete(conn, ctx, category_id, version)
            })
            .await?;
        Ok(Response::new(()))
    }

    async fn list_units(
        &self,
        request: Request<pb::ListUnitsRequest>,
    ) -> Reply<pb::ListUnitsResponse> {
        let pb::ListUnitsRequest { include_archived } = request.into_inner();
        let rows = self
            .state
            .db
            .run(move |conn| container_unit::list(conn, include_archived))
            .await?;
        Ok(Response::new(pb::ListUnitsResponse {
            units: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn create_unit(&self, request: Request<pb::UnitInput>) -> Reply<pb::ContainerUnit> {
        let session = Session::of(&request)?;
        let input = convert::drugs::unit_input(Some(request.into_inner()))?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                container_unit::create(conn, ctx, &input)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn update_unit(
        &self,
        request: Request<pb::UpdateUnitRequest>,
    ) -> Reply<pb::ContainerUnit> {
        let session = Session::of(&request)?;
        let pb::UpdateUnitRequest {
            id: unit_id,
            version,
            unit,
        } = request.into_inner();
        let edit = convert::update(unit_id, version, |check| {
            check.absorb(convert::drugs::unit_input(unit).map_err(|e| e.within("unit")))
        })?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                container_unit::update(conn, ctx, edit.id, edit.version, &edit.input)
            })
            .await
            .map_err(|e| e.within_update("unit"))?;
        Ok(Response::new(view.into()))
    }

    async fn set_unit_active(
        &self,
        request: Request<pb::SetActiveRequest>,
    ) -> Reply<pb::ContainerUnit> {
        let session = Session::of(&request)?;
        let pb::SetActiveRequest {
            id: unit_id,
            version,
            is_active,
        } = request.into_inner();
        let unit_id = id("id", unit_id)?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                container_unit::set_active(conn, ctx, unit_id, version, is_active)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn delete_unit(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        let session = Session::of(&request)?;
        let pb::DeleteRequest {
            id: unit_id,
            version,
        } = request.into_inner();
        let unit_id = id("id", unit_id)?;
        self.state
            .write(session, move |conn, ctx| {
                container_unit::delete(conn, ctx, unit_id, version)
            })
            .await?;
        Ok(Response::new(()))
    }

    async fn search_drugs(
        &self,
        request: Request<pb::SearchDrugsRequest>,
    ) -> Reply<pb::SearchDrugsResponse> {
        let session = Session::of(&request)?;
        let show_cost = shows_cost(&session);
        let (filter, start, limit) = convert::drugs::search_drugs(request.into_inner())?;
        if filter.sort == drug::DrugSort::PurchasePrice {
            access::require_may_read_cost(&session.grants())?;
        }
        let found = self
            .state
            .db
            .run(move |conn| drug::search(conn, &filter, &start, limit))
            .await?;
        Ok(Response::new(pb::SearchDrugsResponse {
            drugs: found
                .rows
                .into_iter()
                .map(|d| convert::drugs::drug(d, show_cost))
                .collect(),
            total: u64::try_from(found.total).unwrap_or(0),
            total_is_exact: found.total_is_exact,
            next_page: found.next.map(|c| c.encode()).unwrap_or_default(),
        }))
    }

    async fn get_drug(&self, request: Request<pb::GetDrugRequest>) -> Reply<pb::Drug> {
        let show_cost = shows_cost(&Session::of(&request)?);
        let pb::GetDrugRequest { id: drug_id } = request.into_inner();
        let drug_id = id("id", drug_id)?;
        let view = self
            .state
            .db
            .run(move |conn| drug::get(conn, drug_id))
            .await?;
        Ok(Response::new(convert::drugs::drug(view, show_cost)))
    }

    async fn create_drug(&self, request: Request<pb::DrugInput>) -> Reply<pb::DrugResponse> {
        let session = Session::of(&request)?;
        let show_cost = shows_cost(&session);
        let input = convert::drugs::drug_input(Some(request.into_inner()))?;
        let saved = self
            .state
            .write(session, move |conn, ctx| drug::create(conn, ctx, &input))
            .await?;
        Ok(Response::new(drug_response(saved, show_cost)))
    }

    async fn update_drug(
        &self,
        request: Request<pb::UpdateDrugRequest>,
    ) -> Reply<pb::DrugResponse> {
        let session = Session::of(&request)?;
        let pb::UpdateDrugRequest {
            id: drug_id,
            version,
            drug: input,
        } = request.into_inner();
        let show_cost = shows_cost(&session);
        let mut input = input;
        if !show_cost && let Some(input) = input.as_mut() {
            // The client never saw the purchase price; the stored one is kept below.
            input.purchase_price = "0".to_owned();
        }
        let edit = convert::update(drug_id, version, |check| {
            check.absorb(convert::drugs::drug_input(input).map_err(|e| e.within("drug")))
        })?;
        let saved = self
            .state
            .write(session, move |conn, ctx| {
                // Whoever may not see the purchase price cannot change it either.
                drug::update(conn, ctx, edit.id, edit.version, &edit.input, !show_cost)
            })
            .await
            .map_err(|e| e.within_update("drug"))?;
        Ok(Response::new(drug_response(saved, show_cost)))
    }

    async fn set_drug_active(&self, request: Request<pb::SetActiveRequest>) -> Reply<pb::Drug> {
        let session = Session::of(&request)?;
        let pb::SetActiveRequest {
            id: drug_id,
            version,
            is_active,
        } = request.into_inner();
        let drug_id = id("id", drug_id)?;
        let show_cost = shows_cost(&session);
        let view = self
            .state
            .write(session, move |conn, ctx| {
                drug::set_active(conn, ctx, drug_id, version, is_active)
            })
            .await?;
        Ok(Response::new(convert::drugs::drug(view, show_cost)))
    }

    async fn delete_drug(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        let session = Session::of(&request)?;
        let pb::DeleteRequest {
            id: drug_id,
            version,
        } = request.into_inner();
        let drug_id = id("id", drug_id)?;
        self.state
            .write(session, move |conn, ctx| {
                drug::delete(conn, ctx, drug_id, version)
            })
            .await?;
        Ok(Response::new(()))
    }

    async fn drug_import_template(
        &self,
        _request: Request<()>,
    ) -> Reply<pb::DrugImportTemplateResponse> {
        let workbook = self.state.db.run(drug_import::template).await?;
        Ok(Response::new(pb::DrugImportTemplateResponse {
            workbook,
            file_name: "药品导入模板.xlsx".to_owned(),
        }))
    }

    async fn import_drugs(
        &self,
        request: Request<pb::ImportDrugsRequest>,
    ) -> Reply<pb::ImportDrugsResponse> {
        let session = Session::of(&request)?;
        let pb::ImportDrugsRequest { workbook } = request.into_inner();
        let outcome = self
            .state
            .write(session, move |conn, ctx| {
                drug_import::import(conn, ctx, &workbook)
            })
            .await?;
        Ok(Response::new(match outcome {
            Ok(imported) => pb::ImportDrugsResponse {
                imported: u32::try_from(imported.count).unwrap_or(u32::MAX),
                errors: Vec::new(),
                warnings: imported.warnings.into_iter().map(Into::into).collect(),
            },
            Err(errors) => pb::ImportDrugsResponse {
                imported: 0,
                errors: errors.into_iter().map(Into::into).collect(),
                warnings: Vec::new(),
            },
        }))
    }
}
