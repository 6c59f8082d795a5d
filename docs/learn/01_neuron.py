# %% [markdown]
# # 01_neuron

# %%
print(1)
